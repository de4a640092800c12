"""Parity and speed of the quality heuristics against datatrove's filters of the same name.

Documents: the WCXB ``main_content`` golds (600 real English-language web pages,
``../shared/data``), each also as the page's whole text (``html_to_text``: more
boilerplate, so more of the rules fire). Each stage alone, with its defaults,
against datatrove's filter with its defaults (datatrove splits English words
with spaCy: ``pip install spacy``), same documents, same process, one core.

    .venv/bin/python tests/benchmarks/bench_quality.py [--markdown FILE] [--show N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"
sys.path.insert(0, str(HERE.parent))

from realdata import load_wcxb_pages  # noqa: E402


def documents() -> list[str]:
    from corpus_sieve.filters import HtmlToText

    pages = load_wcxb_pages(SHARED)
    golds = [t for t in pages["main_content"].to_list() if t]
    whole = HtmlToText().transform_series(pages["text"]).to_list()
    return golds + [t for t in whole if t]


def peers() -> dict[str, tuple[object, object]]:
    """recipe name -> (our filter, datatrove's filter)."""
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)

    from corpus_sieve.filters import C4Quality, FineWebQuality, GopherQuality, GopherRepetition

    return {"gopher_quality": (GopherQuality(), GopherQualityFilter()),
            "gopher_repetition": (GopherRepetition(), GopherRepetitionFilter()),
            "c4_quality": (C4Quality(), C4QualityFilter()),
            "fineweb_quality": (FineWebQuality(), FineWebQualityFilter())}


def datatrove_verdicts(peer: object, texts: list[str]) -> tuple[list[str | None], list[str]]:
    """datatrove's reason for each text (None = kept) and the text it leaves (C4 drops lines)."""
    from datatrove.data import Document

    reasons, cleaned = [], []
    for i, text in enumerate(texts):
        doc = Document(text=text, id=str(i))
        verdict = peer.filter(doc)
        reasons.append(None if verdict is True else (verdict[1] if isinstance(verdict, tuple) else "rejected"))
        cleaned.append(doc.text)
    return reasons, cleaned


def same_reason(ours: str | None, theirs: str | None) -> bool:
    """Our reason names the peer's, prefixed with the rule set where the peer's name lacks it
    (``c4_lorem_ipsum`` is datatrove's ``lorem_ipsum``)."""
    return ours == theirs or (ours is not None and theirs is not None and ours.partition("_")[2] == theirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--show", type=int, default=5, help="disagreements to print per stage")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"bench_quality: {SHARED} is absent; the benchmark needs ../shared/data")
    texts = documents()
    series = pl.Series("text", texts)
    lines = [f"Documents: {len(texts):,} (WCXB golds and whole-page texts).", "",
             "| stage | docs | same keep/reject | same reason | same kept text | corpus-sieve s | datatrove s | speed-up |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, (ours, theirs) in peers().items():
        ours.reasons_frame(series[:10].to_frame())  # compile the expressions once
        t0 = time.perf_counter()
        verdicts = ours.reasons_frame(series.to_frame())
        t1 = time.perf_counter()
        peer, peer_text = datatrove_verdicts(theirs, texts)
        t2 = time.perf_counter()
        mine = verdicts["reason"].to_list()
        kept_text = verdicts["cleaned_text"].to_list() if ours.rewrites_text else texts
        same_fate = sum((a is None) == (b is None) for a, b in zip(mine, peer))
        same = sum(same_reason(a, b) for a, b in zip(mine, peer))
        both_kept = [(a, b) for a, b, r, q in zip(kept_text, peer_text, mine, peer) if r is None and q is None]
        same_text = sum(a == b for a, b in both_kept) / max(len(both_kept), 1)
        lines.append(f"| `{name}` | {len(texts):,} | {same_fate / len(texts):.1%} | {same / len(texts):.1%} | "
                     f"{same_text:.1%} | {t1 - t0:.2f} | {t2 - t1:.2f} | {(t2 - t1) / (t1 - t0):.0f}× |")
        print(lines[-1])
        shown = 0
        for text, a, b in zip(texts, mine, peer):
            if not same_reason(a, b) and shown < args.show:
                shown += 1
                print(f"  ours {a} / datatrove {b}: {text[:100]!r}")
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
