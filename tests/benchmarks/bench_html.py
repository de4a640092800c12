"""WCXB benchmark of the HTML stage (``make bench-html``).

Scores ``remove_boilerplate`` (any backend) on a directory in WCXB's layout
(``html/*.html.gz`` + ``ground-truth/*.json``; default ``../shared/data/html/wcxb-dev``)
with WCXB's word-level F1 (see ``html_wcxb.py``), prints a table and writes
``OUT/bench-html.json``::

    .venv/bin/python tests/benchmarks/bench_html.py [--wcxb DIR] [--out DIR]
        [--backend justext|trafilatura|resiliparse|all] [--split dev|heldout|all]
        [--language auto|en|...] [--plain-justext] [--jobs N]

``--jobs N`` measures throughput with N worker processes (pages/s of the
whole run); the default 1 is per-core speed. As a pytest module
(``pytest tests/benchmarks/bench_html.py``) it checks that the default backend
runs on the dev half and beats plain jusText.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(HERE), str(REPO)]

from html_wcxb import SPLITS, Page, load_pages, score  # noqa: E402

DEFAULT_WCXB = REPO.parent / "shared" / "data" / "html" / "wcxb-dev"
_FILTER = None


def _init(params: dict) -> None:
    global _FILTER
    from corpus_sieve.filters import RemoveBoilerplate

    _FILTER = RemoveBoilerplate(**params)


def _extract(html: str) -> str:
    return _FILTER.extract(html)


def run_backend(pages: list[Page], params: dict, jobs: int = 1) -> tuple[list[str], float]:
    """Extractions of ``pages`` with ``RemoveBoilerplate(**params)`` and the wall seconds it took."""
    htmls = [p.html for p in pages]
    _init(params)
    _extract(htmls[0])  # first-call imports are not page time
    start = time.perf_counter()
    if jobs <= 1:
        outputs = [_extract(h) for h in htmls]
    else:
        with ProcessPoolExecutor(jobs, initializer=_init, initargs=(params,)) as pool:
            outputs = list(pool.map(_extract, htmls, chunksize=8))
    return outputs, time.perf_counter() - start


def table(rows: list[tuple[str, dict]]) -> str:
    """A plain-text table: one block per configuration, one line per page type."""
    lines = [f"{'configuration':34s} {'type':14s} {'pages':>5s} {'F1':>6s} {'P':>6s} {'R':>6s} {'with':>6s} {'w/o':>6s} {'pages/s':>8s}"]
    for label, res in rows:
        lines.append("-" * len(lines[0]))
        entries = [("ALL", res)] + list(res["by_type"].items())
        for t, r in entries:
            speed = f"{res['pages_per_s']:8.1f}" if t == "ALL" else ""
            lines.append(
                f"{label if t == 'ALL' else '':34s} {t:14s} {r['pages']:5d} {r['f1']:6.3f} {r['precision']:6.3f} "
                f"{r['recall']:6.3f} {r['with_kept']:6.2f} {r['without_dropped']:6.2f} {speed}"
            )
    return "\n".join(lines)


def configurations(backend: str, language: str, plain: bool) -> list[tuple[str, dict]]:
    from corpus_sieve.filters.html.backends import BACKENDS, backend_available

    names = BACKENDS if backend == "all" else (backend,)
    configs = []
    for name in names:
        if not backend_available(name):
            print(f"skipping backend {name}: not installed (pip install 'corpus-sieve[html]')", file=sys.stderr)
            continue
        configs.append((name, {"backend": name, "language": language}))
        if name == "justext" and (plain or backend == "all"):
            configs.append(("justext (plain, content_root=False)", {"backend": name, "language": language, "content_root": False}))
    return configs


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB, help="directory in WCXB's layout")
    parser.add_argument("--out", type=Path, default=None, help="write OUT/bench-html.json")
    parser.add_argument("--backend", default="justext", help="justext, trafilatura, resiliparse, or all")
    parser.add_argument("--split", default="all", choices=SPLITS, help="dev half, held-out half, or all pages")
    parser.add_argument("--language", default="auto", help="stoplist (auto = detected per page)")
    parser.add_argument("--plain-justext", action="store_true", help="also score plain jusText")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (throughput); 1 = per-core speed")
    args = parser.parse_args(argv)
    if not (args.wcxb / "ground-truth").is_dir():
        parser.error(f"{args.wcxb} is not in WCXB's layout (no ground-truth/ directory)")
    pages = load_pages(args.wcxb, args.split)
    results = []
    for label, params in configurations(args.backend, args.language, args.plain_justext):
        outputs, seconds = run_backend(pages, params, args.jobs)
        res = score(pages, outputs)
        res.update(backend=label, params=params, pages_per_s=len(pages) / seconds, seconds=seconds,
                   split=args.split, jobs=args.jobs, wcxb=str(args.wcxb))
        results.append((label, res))
    print(f"WCXB word-level F1 on {args.wcxb} (split: {args.split}, {len(pages)} pages, jobs: {args.jobs})")
    print(table(results))
    report = dict(results[0][1]) if results else {}
    if len(results) > 1:
        report["configurations"] = [r for _, r in results]
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench-html.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"wrote {args.out / 'bench-html.json'}")
    return report


def test_bench_html_dev_half(shared_data, tmp_path) -> None:
    report = main(["--split", "dev", "--out", str(tmp_path), "--plain-justext"])
    saved = json.loads((tmp_path / "bench-html.json").read_text())
    assert {"f1", "precision", "recall", "pages_per_s", "by_type", "backend"} <= saved.keys()
    plain = report["configurations"][1]
    assert report["f1"] > plain["f1"] + 0.05  # the content-region rules beat plain jusText


if __name__ == "__main__":
    main()
