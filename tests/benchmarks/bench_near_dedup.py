"""Near-duplicate removal: quality on a planted set of real text, and speed, against datatrove's MinHash.

The set (seed 0, from ``../shared/data``): 2,000 originals with at least 12 words
(1,500 short texts of DSLCC, FRMT, Tatoeba, ToLD-Br, Wikipedia; 500 WCXB
article golds), one planted copy of each, 500 of every kind:

* ``char_edits``: 2 characters replaced or deleted;
* ``inserted_words``: 2 words of another text inserted;
* ``changed_tail``: the last tenth of the words (at least one) replaced;
* ``case``: upper-cased, or every word capitalised;

500 hard negatives (the first half of an original, then the second half of
another text: they share half their text and are *not* duplicates), and
14,000 other short texts. Rows are shuffled.

Reported per tool: recall (planted pairs found: one of the two removed as a duplicate of the
other), precision (removed rows
that are a planted copy of their ``duplicate_of``'s family or have a true
character-5-gram Jaccard >= 0.7 with it), hard negatives removed, and the
wall time of the whole process: ``sieve clean`` with only ``near_dedup``
(start-up included) against datatrove's four MinHash stages (2 workers).

    .venv/bin/python tests/benchmarks/bench_near_dedup.py [--markdown FILE] [--runs 3] [--params JSON]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
PYTHON = sys.executable
sys.path[:0] = [str(REPO / "tests")]


def planted_set(seed: int = 0) -> pl.DataFrame:
    """Rows ``id, text, family, kind``: ``family`` names the original a copy was made from."""
    from realdata import _text_pool, load_wcxb_pages

    rng = random.Random(seed)
    pool = _text_pool(SHARED).unique("text", keep="first", maintain_order=True)
    texts = pool["text"].to_list()
    rng.shuffle(texts)
    long_short = [t for t in texts if len(t.split()) >= 12]
    golds = [t for t in load_wcxb_pages(SHARED)["main_content"].to_list() if t and len(t.split()) >= 12]
    originals = long_short[:1500] + golds[:500]
    used = set(originals)
    others = [t for t in texts if t not in used]
    background, donors = others[:14000], others[14000:]
    kinds = ["char_edits", "inserted_words", "changed_tail", "case"]
    rows = []
    for i, text in enumerate(originals):
        rows.append({"text": text, "family": i, "kind": "original"})
        kind = kinds[i % 4]
        rows.append({"text": _variant(text, kind, rng, donors), "family": i, "kind": kind})
    for i in range(500):
        a, b = originals[i * 3 % len(originals)].split(), rng.choice(donors).split()
        rows.append({"text": " ".join(a[: len(a) // 2] + b[len(b) // 2:]), "family": -1, "kind": "hard_negative"})
    rows += [{"text": t, "family": -1, "kind": "background"} for t in background]
    rng.shuffle(rows)
    return pl.DataFrame(rows).with_row_index("n").select(pl.format("d{}", "n").alias("id"), "text", "family", "kind")


def _variant(text: str, kind: str, rng: random.Random, donors: list[str]) -> str:
    words = text.split()
    if kind == "char_edits":
        chars = list(text)
        for _ in range(2):
            at = rng.randrange(len(chars))
            if rng.random() < 0.5:
                chars[at] = rng.choice("abcdefghijklmnopqrstuvwxyz")
            else:
                del chars[at]
        return "".join(chars)
    if kind == "inserted_words":
        extra = rng.choice(donors).split() or ["extra"]
        for _ in range(2):
            words.insert(rng.randrange(len(words) + 1), rng.choice(extra))
        return " ".join(words)
    if kind == "changed_tail":
        cut = max(1, len(words) // 10)
        tail = (rng.choice(donors).split() * cut)[:cut] or ["fim"]
        return " ".join(words[:-cut] + tail)
    return text.upper() if rng.random() < 0.5 else " ".join(w.capitalize() for w in words)


def score(rows: pl.DataFrame, removed: dict[str, str]) -> dict[str, float]:
    """Recall, precision and hard negatives removed, from ``{removed id: duplicate_of id}``."""
    from corpus_sieve.filters.dedup.shingles import jaccard

    by_id = {r["id"]: r for r in rows.iter_rows(named=True)}
    # a planted pair is found when one of the two is removed as a duplicate of the other (which one
    # comes first in the shuffled input decides which is kept)
    family_of = {r["id"]: r["family"] for r in rows.iter_rows(named=True) if r["family"] >= 0}
    found = {family_of[i] for i, of in removed.items() if i in family_of and family_of.get(of) == family_of[i]}
    recall = len(found) / len(set(family_of.values()))
    good = 0
    for row_id, of in removed.items():
        a, b = by_id[row_id], by_id.get(of)
        same_family = b is not None and a["family"] >= 0 and a["family"] == b["family"]
        good += same_family or (b is not None and jaccard(a["text"], b["text"]) >= 0.7)
    hard = sum(i in removed for i in rows.filter(pl.col("kind") == "hard_negative")["id"])
    return {"recall": recall, "precision": good / max(len(removed), 1), "hard_negatives_removed": hard,
            "removed": len(removed)}


def run_sieve(corpus: Path, out: Path, params: dict) -> tuple[float, dict[str, str]]:
    recipe = out / "recipe.yaml"
    recipe.write_text(json.dumps({"columns": {"text": "text", "id": "id"},
                                  "stages": [{"filter": "near_dedup", "params": params}]}), encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run([str(Path(PYTHON).parent / "sieve"), "clean", str(corpus), "--recipe", str(recipe), "--out",
                    str(out / "runs"), "--quiet"], check=True, capture_output=True)
    wall = time.perf_counter() - t0
    run = sorted(p for p in (out / "runs").iterdir() if p.is_dir() and not p.is_symlink())[-1]
    rejected = pl.read_parquet(run / "rejected.parquet")
    return wall, dict(zip(rejected["id"].to_list(), rejected["duplicate_of"].to_list()))


def run_datatrove(corpus: Path, out: Path) -> tuple[float, dict[str, str]]:
    shards = out / "shards"
    shards.mkdir(parents=True, exist_ok=True)
    frame = pl.read_ndjson(corpus)
    for i in range(2):
        frame.gather_every(2, offset=i).write_ndjson(shards / f"{i}.jsonl")
    t0 = time.perf_counter()
    subprocess.run([PYTHON, str(HERE / "peer_datatrove_minhash.py"), str(shards), str(out / "dt"), "--workers", "2"],
                   check=True, capture_output=True)
    wall = time.perf_counter() - t0

    def read(folder: str) -> pl.DataFrame:
        files = sorted((out / "dt" / folder).glob("*.jsonl"))
        if not files:
            return pl.DataFrame(schema={"id": pl.String, "cluster": pl.Int64})
        frame = pl.concat([pl.read_ndjson(f) for f in files], how="diagonal_relaxed")
        return frame.select("id", pl.col("metadata").struct.field("minhash_cluster_id").cast(pl.Int64).alias("cluster"))

    kept, removed = read("kept"), read("removed")
    root = dict(zip(kept.filter(pl.col("cluster") >= 0)["cluster"].to_list(), kept.filter(pl.col("cluster") >= 0)["id"].to_list()))
    return wall, {i: root.get(c) for i, c in zip(removed["id"].to_list(), removed["cluster"].to_list())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--params", default="{}", help="near_dedup params, as JSON (default: the stage's defaults)")
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"bench_near_dedup: {SHARED} is absent")
    rows = planted_set()
    params = json.loads(args.params)
    lines = [f"Planted set: {rows.height:,} rows (2,000 originals, 2,000 planted copies, 500 hard negatives, "
             f"14,000 other texts); {args.runs} runs each, median wall seconds of the whole process, 2 CPUs.", "",
             "| tool | recall | precision | hard negatives removed | removed | wall s | speed-up |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "planted.jsonl"
        rows.select("id", "text").write_ndjson(corpus)
        results = {}
        for name, runner in [("corpus-sieve `near_dedup`", lambda o: run_sieve(corpus, o, params)),
                             *([] if args.no_peer else [("datatrove MinHash (4 stages)", lambda o: run_datatrove(corpus, o))])]:
            walls = []
            for i in range(args.runs):
                out = Path(tmp) / f"{len(results)}-{i}"
                out.mkdir()
                wall, removed = runner(out)
                walls.append(wall)
                print(f"  {name} run {i + 1}: {wall:.2f} s, removed {len(removed):,}", flush=True)
            results[name] = (statistics.median(walls), score(rows, removed))
        ours = next(iter(results.values()))[0]
        for name, (wall, s) in results.items():
            lines.append(f"| {name} | {s['recall']:.3f} | {s['precision']:.3f} | {s['hard_negatives_removed']} | "
                         f"{s['removed']:,} | {wall:.2f} | {wall / ours:.1f}× |")
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
