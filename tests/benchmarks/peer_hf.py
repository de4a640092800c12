"""The founding way: Hugging Face ``datasets``, one ``.map``/``.filter`` pass per rule.

Usage: ``python peer_hf.py CORPUS.jsonl OUT_DIR [--num-proc 2]``. Writes
``OUT_DIR/kept.parquet`` (the kept rows). Every pass uses ``num_proc`` worker
processes, as the founding PtVId project did; the tokenizer
(``AutoTokenizer``, cl100k) is called once per row; exact dedup is one
serial pass with a set (it needs every earlier row). The rules are those of
``peer_rules.py`` (the same patterns as corpus-sieve's filters, per row with
the ``regex`` module). A fresh datasets cache directory is used per run, so
no pass is served from an earlier run's cache.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
TOKENIZER = str(HERE.parents[2] / "shared" / "data" / "tokenizers" / "cl100k")

_TOK = None


def _tokenizer():
    global _TOK
    if _TOK is None:
        from transformers import AutoTokenizer

        _TOK = AutoTokenizer.from_pretrained(TOKENIZER)
    return _TOK


def _web(row):
    import peer_rules

    return {"text": peer_rules.justext_text(row["text"]) if row["domain"] == "web" else row["text"]}


def _html(row):
    import peer_rules

    return {"text": row["text"] if row["domain"] == "web" else peer_rules.html_text(row["text"])}


def _transform(fn):
    def apply(row):
        return {"text": fn(row["text"])}
    return apply


def _check(fn):
    def keep(row):
        return fn(row["text"])
    return keep


def _token_bounds(row):
    import peer_rules

    n = len(_tokenizer()(row["text"], add_special_tokens=False)["input_ids"])
    return peer_rules.MIN_TOKENS <= n <= peer_rules.MAX_TOKENS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--num-proc", type=int, default=2)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cache = tempfile.mkdtemp(prefix="hf-cache-", dir=out)
    os.environ["HF_DATASETS_CACHE"] = cache
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import datasets
    import peer_rules

    datasets.disable_progress_bars()
    ds = datasets.load_dataset("json", data_files=args.corpus, split="train", cache_dir=cache)
    n = args.num_proc
    ds = ds.map(_web, num_proc=n, desc="jusText")
    ds = ds.map(_html, num_proc=n, desc="html_to_text")
    for fn in peer_rules.TRANSFORMS:
        ds = ds.map(_transform(fn), num_proc=n, desc=fn.__name__)
    for fn in peer_rules.CHECKS:
        ds = ds.filter(_check(fn), num_proc=n, desc=fn.__name__)
    ds = ds.filter(_token_bounds, num_proc=n, desc="token_length")
    seen: set[str] = set()

    def first_seen(row):
        key = peer_rules.dedup_key(row["text"])
        if key in seen:
            return False
        seen.add(key)
        return True

    ds = ds.filter(first_seen, desc="exact_dedup")  # serial: a row needs every earlier row
    ds.to_parquet(str(out / "kept.parquet"))
    print(f"kept {ds.num_rows}")


if __name__ == "__main__":
    main()
