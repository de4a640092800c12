"""WCXB scoring for the HTML stage: loading, the fixed dev/held-out split, word-level F1.

WCXB (Web Content eXtraction Benchmark) scores an extraction against the gold
``ground_truth.main_content`` by *word-level F1*: both texts are lowercased and
tokenised into ``\\w+`` words; the overlap is the multiset (``Counter``)
intersection, so a word counts as often as it appears in both; precision =
overlap / extracted words, recall = overlap / gold words. Scores are computed
per page and averaged over pages (macro average), overall and per page type.
Edge cases: both empty -> P = R = F1 = 1 (nothing to extract, nothing
extracted); exactly one empty -> 0. Pages whose gold is null (not annotated)
are skipped.

The split (fixed, documented in the README): within each page type, pages in
file-id order alternate dev, held-out, dev, held-out... So each half has half
of every type. Extraction rules may be developed looking at ``dev`` pages
only; ``heldout`` is scored at the end.

The layout is WCXB's own: ``DIR/html/<id>.html.gz`` (or ``.html``) and
``DIR/ground-truth/<id>.json``, so a full WCXB download scores as is.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for realdata

from realdata import decode_html  # noqa: E402

_WORD = re.compile(r"\w+")
_WS = re.compile(r"\s+")

SPLITS = ("dev", "heldout", "all")


@dataclass
class Page:
    file_id: str
    page_type: str
    html: str
    gold: str | None
    with_snippets: list[str] = field(default_factory=list)
    without_snippets: list[str] = field(default_factory=list)
    url: str | None = None
    split: str = "dev"


def words(text: str) -> Counter:
    """WCXB's bag of words: lowercased ``\\w+`` tokens with their counts."""
    return Counter(_WORD.findall(text.lower()))


def prf(extracted: str, gold: str) -> tuple[float, float, float]:
    """Word-level (precision, recall, F1) of ``extracted`` against ``gold``.

    >>> prf("The cat sat", "the cat sat on the mat")
    (1.0, 0.5, 0.6666666666666666)
    >>> prf("", ""), prf("x", "")
    ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
    """
    ext, ref = words(extracted), words(gold)
    n_ext, n_ref = sum(ext.values()), sum(ref.values())
    if n_ext == 0 and n_ref == 0:
        return 1.0, 1.0, 1.0
    if n_ext == 0 or n_ref == 0:
        return 0.0, 0.0, 0.0
    overlap = sum((ext & ref).values())
    p, r = overlap / n_ext, overlap / n_ref
    return p, r, (0.0 if overlap == 0 else 2 * p * r / (p + r))


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def snippet_scores(extracted: str, page: Page) -> tuple[int, int, int, int]:
    """(with kept, with total, without dropped, without total) for one page.

    A ``with`` snippet is kept when its whitespace-normalised, lowercased text
    occurs in the extraction; a ``without`` snippet is dropped when it does not
    occur as a whole line of the extraction (short ``without`` snippets such as
    "Home" are also ordinary words inside the main text).
    """
    flat = normalise(extracted)
    lines = {normalise(line) for line in extracted.split("\n")}
    kept = sum(1 for s in page.with_snippets if normalise(s) in flat)
    dropped = sum(1 for s in page.without_snippets if normalise(s) not in lines)
    return kept, len(page.with_snippets), dropped, len(page.without_snippets)


def _page_type(truth: dict) -> str:
    internal = truth.get("_internal", {}).get("page_type", {})
    return internal.get("primary") or truth.get("ground_truth", {}).get("page_type") or "unknown"


def load_pages(root: Path | str, split: str = "all") -> list[Page]:
    """Pages of a directory in WCXB's layout, restricted to ``split`` (dev, heldout, all)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    root = Path(root)
    pages: list[Page] = []
    for truth_file in sorted((root / "ground-truth").glob("*.json")):
        file_id = truth_file.stem
        html_file = root / "html" / f"{file_id}.html.gz"
        if html_file.exists():
            raw = gzip.decompress(html_file.read_bytes())
        elif (root / "html" / f"{file_id}.html").exists():
            raw = (root / "html" / f"{file_id}.html").read_bytes()
        else:
            continue
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        gt = truth.get("ground_truth", {})
        pages.append(Page(
            file_id=file_id, page_type=_page_type(truth), html=decode_html(raw),
            gold=gt.get("main_content"), with_snippets=list(gt.get("with") or []),
            without_snippets=list(gt.get("without") or []), url=truth.get("url"),
        ))
    position: Counter = Counter()
    for page in pages:  # file-id order: alternate within each page type
        page.split = "dev" if position[page.page_type] % 2 == 0 else "heldout"
        position[page.page_type] += 1
    return [p for p in pages if split == "all" or p.split == split]


def score(pages: list[Page], outputs: list[str]) -> dict:
    """Macro-averaged P/R/F1 overall and per page type, plus snippet shares."""
    rows = []
    for page, out in zip(pages, outputs):
        if page.gold is None:
            continue
        p, r, f = prf(out, page.gold)
        rows.append((page.page_type, p, r, f, *snippet_scores(out, page)))

    def summary(sel: list[tuple]) -> dict:
        n = len(sel)
        with_total = sum(s[5] for s in sel)
        without_total = sum(s[7] for s in sel)
        return {
            "pages": n,
            "f1": sum(s[3] for s in sel) / n if n else 0.0,
            "precision": sum(s[1] for s in sel) / n if n else 0.0,
            "recall": sum(s[2] for s in sel) / n if n else 0.0,
            "with_kept": sum(s[4] for s in sel) / with_total if with_total else 1.0,
            "without_dropped": sum(s[6] for s in sel) / without_total if without_total else 1.0,
        }

    result = summary(rows)
    result["by_type"] = {t: summary([s for s in rows if s[0] == t]) for t in sorted({s[0] for s in rows})}
    return result
