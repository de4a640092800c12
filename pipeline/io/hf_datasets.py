"""Kept rows back to Hugging Face ``datasets``: a DatasetDict keyed by split, saved or pushed.

Reading ``datasets`` is the reader's job (:mod:`corpus_sieve.pipeline.io.readers`: a
``save_to_disk`` directory, data files, or a Hub name; each split of a
DatasetDict becomes the value of the split column). This module closes the
loop: the kept rows of a run become a ``DatasetDict`` again, one split per
value of the split column (the column is dropped: the key carries it), or a
single ``train`` split when there is no split column.

>>> import tempfile, pathlib, polars as pl
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pl.DataFrame({"text": ["olá", "bom dia", "oi"], "split": ["train", "test", "train"]}).write_parquet(d / "kept.parquet")
>>> dd = kept_to_datasetdict(d / "kept.parquet")
>>> {name: ds.to_dict()["text"] for name, ds in dd.items()}
{'train': ['olá', 'oi'], 'test': ['bom dia']}
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

DEFAULT_SPLIT = "train"


class HubError(RuntimeError):
    """Pushing to the Hugging Face Hub is not possible (no token, no network, no access)."""


def kept_to_datasetdict(kept_parquet: str | Path, split_column: str = "split", default_split: str = DEFAULT_SPLIT) -> Any:
    """The rows of ``kept_parquet`` as a ``datasets.DatasetDict`` keyed by ``split_column``.

    Splits come in the order they first appear; rows keep their order. Rows
    whose split is null go to ``default_split``. Without a split column the
    whole file is the ``default_split`` split.
    """
    import datasets

    frame = pl.read_parquet(kept_parquet)
    if split_column not in frame.columns:
        return datasets.DatasetDict({default_split: _to_dataset(frame)})
    names = frame[split_column].cast(pl.String).fill_null(default_split)
    frame = frame.with_columns(names.alias(split_column))
    order = names.unique(maintain_order=True).to_list()
    return datasets.DatasetDict({
        name: _to_dataset(frame.filter(pl.col(split_column) == name).drop(split_column)) for name in order
    })


def _to_dataset(frame: pl.DataFrame) -> Any:
    import datasets

    return datasets.Dataset(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))


def save_to_disk(dd: Any, out_dir: str | Path) -> Path:
    """``dd.save_to_disk(out_dir)``, atomically (a half-written directory never has the final name)."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        # one shard per split: datasets cannot load back an empty split saved with 0 shards
        dd.save_to_disk(str(work / "dd"), num_shards={name: 1 for name in dd})
        if out.exists():
            shutil.rmtree(out)
        os.replace(work / "dd", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def check_hub_access(repo: str) -> str:
    """The Hugging Face token to push ``repo`` with, or :class:`HubError` saying what is missing."""
    if not repo or repo.count("/") != 1 or not all(repo.split("/")):
        raise HubError(f"--push-to-hub: expected a repo id like 'user/name', got {repo!r}")
    try:
        from huggingface_hub import get_token
    except ImportError:  # pragma: no cover - datasets depends on huggingface_hub
        raise HubError("--push-to-hub needs huggingface_hub (pip install huggingface_hub)") from None
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise HubError(f"cannot push to {repo}: HF_HUB_OFFLINE is set (unset it to push)")
    token = get_token()
    if not token:
        raise HubError(
            f"cannot push to {repo}: no Hugging Face token; set HF_TOKEN or run `hf auth login` "
            "(a token with write access), then run again"
        )
    return token


def push_to_hub(dd: Any, repo: str, private: bool = False) -> None:
    """``dd.push_to_hub(repo)``; any failure becomes a :class:`HubError` with the reason."""
    token = check_hub_access(repo)
    try:
        dd.push_to_hub(repo, private=private or None, token=token)
    except Exception as exc:  # network, permission, rate limit: all mean "not pushed"
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise HubError(
            f"pushing to https://huggingface.co/datasets/{repo} failed: {type(exc).__name__}: {first} "
            "(check network access and that the token may write to this repo; the run directory is complete, "
            "push again with --save-to-disk DIR and `DatasetDict.load_from_disk(DIR).push_to_hub(...)`)"
        ) from None
