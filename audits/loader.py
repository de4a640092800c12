"""Load a labelled corpus for the audits, in canonical form.

Accepts a pipeline run directory (``kept.parquet`` + ``stats.json``) or any
file :func:`corpus_sieve.pipeline.io.readers.read_frame` reads (JSONL, CSV, TSV, Parquet, a
Hugging Face ``datasets`` directory), renames the user's columns to the
canonical names of :mod:`corpus_sieve.audits.base` and casts them to String.

Problems with the input raise :class:`AuditInputError`, whose message names the
file and the column, so ``sieve audit`` can print it without a traceback.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, SINGLE_DOMAIN, SOURCE, SPLIT, TEXT, AuditCorpus

#: the files that make a directory a pipeline run directory
RUN_DIR_MARKERS = ("kept.parquet", "stats.json")
#: domain given to rows whose domain cell is null, when the corpus has domains
MISSING_DOMAIN = "(no domain)"
#: the pipeline reader's bookkeeping columns (non-null ``_reason`` = unreadable row)
_BOOKKEEPING = ("_reason", "_detail")


class AuditInputError(ValueError):
    """The input cannot be audited (missing file or column, null labels, no rows)."""


@dataclass
class LoadedCorpus(AuditCorpus):
    """An :class:`~corpus_sieve.audits.base.AuditCorpus` that remembers where it came from.

    ``excluded`` counts rows left out of the audit by reason (rows the reader
    could not use, rows with no text); the report and the CLI show it, so no
    row disappears silently.
    """

    path: Path | None = None
    columns: dict[str, str | None] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)


def load_corpus(
    source: str | Path,
    text_col: str = "text",
    label_col: str = "label",
    domain_col: str = "domain",
    split_col: str = "split",
    source_col: str = "source",
    id_col: str = "id",
) -> LoadedCorpus:
    """Read ``source`` and return it as a canonical :class:`~corpus_sieve.audits.base.AuditCorpus`.

    The optional columns (domain, split, source, id) are used when present; a
    column you named explicitly (anything but its default name) must exist.
    Without a domain column the corpus is one domain, ``"all"``; without an id
    column ids are the row numbers.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = path.write_text('{"text": "Bom dia", "label": "pt-PT"}\\n{"text": "Oi", "label": "pt-BR"}\\n')
    >>> corpus = load_corpus(path)
    >>> corpus.frame.columns
    ['id', 'text', 'label', 'domain', 'split', 'source']
    >>> corpus.labels, corpus.domains, corpus.has_domain
    (['pt-BR', 'pt-PT'], ['all'], False)
    """
    path, run_dir, wanted = locate(source, text_col, label_col, domain_col, split_col, source_col, id_col)
    frame = _read(path, run_dir, wanted)
    return canonicalise(frame, path=path, run_dir=run_dir, **{f"{k}_col": v for k, v in wanted.items()})



def locate(
    source: str | Path,
    text_col: str = "text",
    label_col: str = "label",
    domain_col: str = "domain",
    split_col: str = "split",
    source_col: str = "source",
    id_col: str = "id",
) -> tuple[Path, Path | None, dict[str, str]]:
    """``(path, run directory or None, role -> column name)`` for an audit input.

    A run directory's ``recipe.json`` names the columns; the caller's explicit
    names (anything but a role's own name) win over it.
    """
    path = Path(source)
    if not path.exists():
        raise AuditInputError(f"{path}: no such file or directory")
    run_dir = _run_dir(path)
    wanted = {TEXT: text_col, LABEL: label_col, DOMAIN: domain_col, SPLIT: split_col, SOURCE: source_col, ID: id_col}
    if run_dir is not None:
        recipe_columns = _recipe_columns(run_dir)
        wanted = {
            role: recipe_columns.get(role) or name if name == role else name for role, name in wanted.items()
        }
    return path, run_dir, wanted


def canonicalise(
    frame: pl.DataFrame,
    *,
    path: Path | None = None,
    run_dir: Path | None = None,
    text_col: str = "text",
    label_col: str = "label",
    domain_col: str = "domain",
    split_col: str = "split",
    source_col: str = "source",
    id_col: str = "id",
) -> LoadedCorpus:
    """Turn an in-memory frame into a canonical corpus (same rules as :func:`load_corpus`).

    Examples
    --------
    >>> c = canonicalise(pl.DataFrame({"t": ["a", "b"], "y": [1, 0], "d": ["web", None]}),
    ...                  text_col="t", label_col="y", domain_col="d")
    >>> c.frame.select("id", "label", "domain").rows()
    [('0', '1', 'web'), ('1', '0', '(no domain)')]
    """
    where = str(path) if path is not None else "input"
    if frame.height == 0:
        raise AuditInputError(f"{where}: no rows to audit (the input is empty)")
    optional = resolve_columns(frame.columns, where, text_col, label_col, domain_col, split_col, source_col, id_col)
    excluded: dict[str, int] = {}
    if "_reason" in frame.columns:
        # a null label is kept so that it is reported as an input error below, with its ids
        bad_row = pl.col("_reason").is_not_null() & (pl.col("_reason") != "null_label")
        bad = frame.filter(bad_row)
        for reason, n in bad.group_by("_reason").len().sort("_reason").iter_rows():
            excluded[f"unreadable: {reason}"] = n
        frame = frame.filter(~bad_row)

    canon = canonical_columns(frame, text_col, label_col, optional)

    no_text = canon.filter(pl.col(TEXT).is_null()).height
    if no_text:
        excluded["no text"] = no_text
        canon = canon.filter(pl.col(TEXT).is_not_null())

    if optional[ID]:
        null_ids = canon.filter(pl.col(ID).is_null()).height
        if null_ids:
            raise AuditInputError(f"{where}: column {optional[ID]!r} (id) has {null_ids} null value(s); ids must be set")
        dupes = canon.group_by(ID).len().filter(pl.col("len") > 1)
        if dupes.height:
            first = dupes.sort(ID).head(5)[ID].to_list()
            raise AuditInputError(
                f"{where}: column {optional[ID]!r} (id) is not unique: {dupes.height} id(s) repeat, e.g. {first}"
            )

    missing_label = canon.filter(pl.col(LABEL).is_null() | (pl.col(LABEL).str.strip_chars() == ""))
    if missing_label.height:
        first = missing_label.head(5)[ID].to_list()
        raise AuditInputError(
            f"{where}: column {label_col!r} (label) is null or empty in {missing_label.height} row(s), "
            f"first ids: {first}; label every row or drop the unlabelled rows before auditing"
        )
    if canon.height == 0:
        detail = f" ({_describe(excluded)} excluded)" if excluded else ""
        raise AuditInputError(f"{where}: no rows to audit{detail}")

    return LoadedCorpus(
        frame=canon,
        has_domain=optional[DOMAIN] is not None,
        has_split=optional[SPLIT] is not None and canon[SPLIT].null_count() < canon.height,
        has_source=optional[SOURCE] is not None and canon[SOURCE].null_count() < canon.height,
        run_dir=run_dir,
        path=path,
        columns={TEXT: text_col, LABEL: label_col, **optional},
        excluded=excluded,
    )



def resolve_columns(
    columns: list[str],
    where: str,
    text_col: str = "text",
    label_col: str = "label",
    domain_col: str = "domain",
    split_col: str = "split",
    source_col: str = "source",
    id_col: str = "id",
) -> dict[str, str | None]:
    """Role -> input column for the optional roles (None when absent); raise naming ``where`` when a
    required column, or an optional one the user named explicitly, is missing."""
    available = [c for c in columns if c not in _BOOKKEEPING]
    for role, name in ((TEXT, text_col), (LABEL, label_col)):
        if name not in columns:
            raise AuditInputError(
                f"{where}: no {role} column {name!r}; available columns: {', '.join(map(repr, available)) or 'none'}"
                f" (choose one with --{role}-col)"
            )
    optional: dict[str, str | None] = {}
    for role, name, default in (
        (DOMAIN, domain_col, "domain"),
        (SPLIT, split_col, "split"),
        (SOURCE, source_col, "source"),
        (ID, id_col, "id"),
    ):
        if name in columns:
            optional[role] = name
        elif name != default:
            raise AuditInputError(
                f"{where}: no {role} column {name!r}; available columns: {', '.join(map(repr, available))}"
            )
        else:
            optional[role] = None
    return optional


def canonical_columns(
    frame: pl.DataFrame, text_col: str, label_col: str, optional: dict[str, str | None], row_offset: int = 0
) -> pl.DataFrame:
    """The canonical columns of ``frame`` (ids are row numbers from ``row_offset`` without an id column)."""
    id_expr = (
        _as_string(frame, optional[ID]).alias(ID)
        if optional[ID]
        else (pl.int_range(pl.len(), dtype=pl.Int64) + row_offset).cast(pl.String).alias(ID)
    )
    return frame.select(
        id_expr,
        _as_string(frame, text_col).alias(TEXT),
        _as_string(frame, label_col).alias(LABEL),
        (_as_string(frame, optional[DOMAIN]).fill_null(MISSING_DOMAIN) if optional[DOMAIN] else pl.lit(SINGLE_DOMAIN))
        .cast(pl.String)
        .alias(DOMAIN),
        (_as_string(frame, optional[SPLIT]) if optional[SPLIT] else pl.lit(None, dtype=pl.String)).alias(SPLIT),
        (_as_string(frame, optional[SOURCE]) if optional[SOURCE] else pl.lit(None, dtype=pl.String)).alias(SOURCE),
    )


def _describe(excluded: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in excluded.items())


def _as_string(frame: pl.DataFrame, name: str) -> pl.Expr:
    """``name`` as String; lists and structs become their JSON-ish text rather than failing."""
    dtype = frame.schema[name]
    col = pl.col(name)
    if dtype == pl.String:
        return col
    if dtype.is_nested():
        return col.map_elements(lambda v: None if v is None else str(v), return_dtype=pl.String)
    return col.cast(pl.String)


def _run_dir(path: Path) -> Path | None:
    """The pipeline run directory ``path`` names (``runs/latest`` may be a link or a text file), or None."""
    if path.is_file() and path.name == "latest":
        target = path.parent / path.read_text(encoding="utf-8").strip()
        if not target.is_dir():
            raise AuditInputError(f"{path} names run {target.name!r}, which does not exist")
        path = target
    if path.is_dir() and (path / RUN_DIR_MARKERS[0]).is_file():
        missing = [name for name in RUN_DIR_MARKERS if not (path / name).is_file()]
        if missing:
            raise AuditInputError(
                f"{path}: looks like a pipeline run directory but has no {', '.join(missing)} "
                "(an interrupted run? re-run sieve clean)"
            )
        return path.resolve()
    return None


def _recipe_columns(run_dir: Path) -> dict[str, str]:
    """Role -> column name from the run's ``recipe.json`` (``columns:``), when it has one."""
    import json

    try:
        recipe = json.loads((run_dir / "recipe.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    columns = recipe.get("columns") if isinstance(recipe, dict) else None
    if not isinstance(columns, dict):
        return {}
    return {role: name for role, name in columns.items() if isinstance(name, str) and name}


def _read(path: Path, run_dir: Path | None, wanted: dict[str, str]) -> pl.DataFrame:
    with read_errors(path):
        if run_dir is not None:
            return pl.read_parquet(run_dir / "kept.parquet")
        return _read_input(path, wanted)


@contextmanager
def read_errors(path: Path):
    """Turn what reading ``path`` can raise into an :class:`AuditInputError` naming the file
    (and the ``--text-col`` hint for a missing column)."""
    try:
        yield
    except AuditInputError:
        raise
    except reader_errors() as exc:
        hint = " (choose the text column with --text-col)" if "missing column" in str(exc) else ""
        raise AuditInputError(f"{exc}{hint}") from exc
    except (OSError, ValueError, pl.exceptions.PolarsError) as exc:
        raise AuditInputError(f"{path}: cannot read it: {exc}") from exc


def reader_errors() -> tuple[type[BaseException], ...]:
    try:
        from corpus_sieve.pipeline.io.readers import InputError
    except ImportError:
        return ()
    return (InputError,)


def _read_input(path: Path, wanted: dict[str, str]) -> pl.DataFrame:
    """Read a file or datasets directory through the pipeline's reader (one reader for the whole project)."""
    try:
        from corpus_sieve.pipeline.recipe.columns import ColumnMap
        from corpus_sieve.pipeline.io.readers import read_frame
    except ImportError:  # the pipeline reader is optional for the audits
        return _read_with_polars(path)
    columns = ColumnMap(
        text=wanted[TEXT],
        label=wanted[LABEL],
        domain=wanted[DOMAIN],
        id=wanted[ID],
        split=wanted[SPLIT],
        source=wanted[SOURCE],
    )
    return read_frame(path, columns)


def _read_with_polars(path: Path) -> pl.DataFrame:
    suffix = "".join(path.suffixes[-2:]).lower() if path.is_file() else ""
    if path.is_dir():
        return _read_datasets_dir(path)
    if suffix.endswith((".jsonl", ".ndjson", ".json")):
        return pl.read_ndjson(path, infer_schema_length=None)
    if suffix.endswith(".csv"):
        return pl.read_csv(path, infer_schema=False)
    if suffix.endswith(".tsv"):
        return pl.read_csv(path, separator="\t", quote_char=None, infer_schema=False)
    if suffix.endswith(".parquet"):
        return pl.read_parquet(path)
    raise AuditInputError(f"{path}: unknown file type {path.suffix!r}; use .jsonl, .csv, .tsv, .parquet or a run directory")


def _read_datasets_dir(path: Path) -> pl.DataFrame:
    import datasets

    loaded = datasets.load_from_disk(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        parts = [pl.from_arrow(ds.data.table).with_columns(pl.lit(name).alias("split")) for name, ds in loaded.items()]
        return pl.concat(parts, how="diagonal_relaxed")
    return pl.from_arrow(loaded.data.table)
