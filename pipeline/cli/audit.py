"""``sieve audit INPUT --out DIR``: audit a labelled corpus, write the report, exit for CI.

Exit codes: 0 = the verdict did not reach ``--fail-on`` and the readiness band is not below
``--fail-below``; 1 = one of them failed;
2 = the input or the settings are unusable (a clear message, no traceback);
3 = an audit check crashed (a bug in corpus-sieve; the traceback is printed).
Heavy imports (polars, the checks) happen inside :func:`run` so ``sieve --help``
stays fast.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3
_FAIL_RANK = {"warn": 1, "error": 2, "never": 3}
_VERDICT_RANK = {"pass": 0, "warn": 1, "fail": 2}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT",
                        help="a pipeline run directory (kept.parquet), or a JSONL/CSV/TSV/Parquet file "
                             "or a Hugging Face datasets directory")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="directory for audit.json, report.html and flags.parquet (created if needed)")
    cols = parser.add_argument_group("columns (default: the name when present)")
    cols.add_argument("--text-col", default="text", metavar="NAME", help="text column (default: text)")
    cols.add_argument("--label-col", default="label", metavar="NAME", help="label column (default: label)")
    cols.add_argument("--domain-col", default="domain", metavar="NAME",
                      help="domain column (default: domain; without one the corpus is one domain)")
    cols.add_argument("--split-col", default="split", metavar="NAME", help="split column (default: split)")
    cols.add_argument("--source-col", default="source", metavar="NAME", help="source column (default: source)")
    cols.add_argument("--id-col", default="id", metavar="NAME",
                      help="id column (default: id; row numbers when absent)")
    parser.add_argument("--recipe", metavar="FILE",
                        help="recipe YAML whose audit: section sets thresholds, allow_list and seed "
                             "(default for a run directory: the run's own recipe.json)")
    parser.add_argument("--checks", metavar="A,B",
                        help="run only these checks (comma-separated ids; default: all)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="CHECK.PARAM=VALUE",
                        help="override one threshold, e.g. --set token_shortcut.min_count=20 (repeatable)")
    parser.add_argument("--allow", action="append", default=[], metavar="TOKEN",
                        help="add a legitimate marker to the allow-list (repeatable)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the recipe's, else 0)")
    parser.add_argument("--fail-on", choices=("warn", "error", "never"), default="error",
                        help="exit 1 when the verdict reaches this severity (default: error; never: always exit 0, "
                             "for demos and reports)")
    parser.add_argument("--fail-below", choices=("C", "B", "A"), default=None, metavar="BAND",
                        help="exit 1 when the readiness band is below this one (C accessible < B faithful < A fit "
                             "for the question; see audit.json readiness)")
    parser.add_argument("--suggest-recipe", metavar="FILE", default=None,
                        help="also write a recipe with one commented stage per mechanical fix of the findings "
                             "(sieve clean INPUT --recipe FILE runs it as is)")
    parser.add_argument("--top", type=int, default=5, metavar="N", help="findings to print (default: 5)")
    parser.add_argument("--engine", choices=("auto", "memory", "streaming"), default="auto",
                        help="streaming keeps the texts on disk and reads them batch by batch (bounded memory); "
                             "auto streams inputs over 300,000 rows (default: auto)")
    parser.add_argument("--work-dir", metavar="DIR", default=None,
                        help="where the streaming engine writes its temporary files (default: the system temp dir)")
    parser.add_argument("--quiet", action="store_true", help="no per-check progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    opened: list = []
    try:
        return _audit(args, opened)
    finally:
        for corpus in opened:
            if corpus is not None and corpus.streamed:
                corpus.close()


def _audit(args: argparse.Namespace, opened: list) -> int:
    import traceback

    from corpus_sieve.audits.base import AuditConfig
    from corpus_sieve.audits.config import AuditConfigError, config_from_recipe, merge, parse_overrides
    from corpus_sieve.audits.loader import AuditInputError
    from corpus_sieve.audits.scale.loader import open_corpus
    from corpus_sieve.audits.report.outputs import write_outputs
    from corpus_sieve.audits.registry import CheckContractError, available_checks
    from corpus_sieve.audits.runner import CheckFailed, run_audit

    corpus = None
    try:
        modules = available_checks()
        corpus = open_corpus(
            args.input,
            args.engine,
            work_dir=args.work_dir,
            text_col=args.text_col,
            label_col=args.label_col,
            domain_col=args.domain_col,
            split_col=args.split_col,
            source_col=args.source_col,
            id_col=args.id_col,
        )
        recipe = args.recipe or _run_recipe(corpus.run_dir)
        base = config_from_recipe(recipe, checks=modules) if recipe else AuditConfig()
        config = merge(base, thresholds=parse_overrides(args.overrides), allow_list=args.allow,
                       seed=args.seed, checks=modules)
        selected = [c.strip() for c in args.checks.split(",") if c.strip()] if args.checks else None
        progress = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
        if progress and corpus.streamed:
            progress(f"streaming engine: {corpus.height:,} rows, texts on disk in {corpus.work_dir}")
        result = run_audit(corpus, config, selected, modules=modules, progress=progress)
        paths = write_outputs(result, args.out)
        if args.suggest_recipe:
            from corpus_sieve.audits.recipe_suggestion import write_suggested_recipe

            source = corpus.run_dir / "kept.parquet" if corpus.run_dir is not None else args.input
            paths["recipe"] = write_suggested_recipe(result, args.suggest_recipe, str(source))
    except (AuditInputError, AuditConfigError) as exc:
        print(f"sieve audit: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"sieve audit: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (CheckFailed, CheckContractError) as exc:
        traceback.print_exc()
        print(f"sieve audit: {exc}\nThis is a bug in corpus-sieve, not a problem with your data; "
              "please report it with the traceback above.", file=sys.stderr)
        return EXIT_BUG
    finally:
        opened.append(corpus)

    print(summary(result, paths, top=args.top))
    if recipe:
        print(f"settings: the audit: section of {recipe}")
    failed = _VERDICT_RANK[result.verdict] >= _FAIL_RANK[args.fail_on]
    if failed:
        print(f"exit 1: the verdict {result.verdict!r} reaches --fail-on {args.fail_on}", file=sys.stderr)
    if args.fail_below is not None:
        from corpus_sieve.audits.readiness import band_rank, readiness

        band = readiness(result)["band"]
        if band_rank(band) < band_rank(args.fail_below):
            failed = True
            print(f"exit 1: the readiness band {band or 'none'} is below --fail-below {args.fail_below}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _run_recipe(run_dir):
    """A pipeline run's ``recipe.json``: its ``audit:`` section applies unless ``--recipe`` is given."""
    if run_dir is None:
        return None
    path = run_dir / "recipe.json"
    return path if path.is_file() else None


def summary(result, paths: dict, *, top: int = 5) -> str:
    """The few lines ``sieve audit`` prints: verdict, counts, top findings, output paths."""
    counts = result.counts()
    s = result.corpus_summary()
    from corpus_sieve.audits.readiness import readiness

    ready = readiness(result)
    lines = [
        f"verdict: {result.verdict.upper()}   errors {counts['error']}  warnings {counts['warn']}  notes {counts['info']}",
        f"readiness: {_band_line(ready)}",
        f"corpus: {s['rows']:,} rows, {len(s['labels'])} labels, {len(s['domains'])} domains"
        + (f", splits {', '.join(s['splits'])}" if s.get("splits") else ""),
    ]
    if s.get("excluded"):
        lines.append("left out: " + ", ".join(f"{n:,} {reason}" for reason, n in s["excluded"].items()))
    from corpus_sieve.audits.actions import actions

    ranked = actions(result)
    if ranked["actions"]:
        lines.append("do first:")
        for item in ranked["actions"][:top]:
            lines.append(f"  {item['rank']}. [{item['severity']:<5}] {_one_line(item['title'])}")
    if ranked["vocabulary"]:
        words = ", ".join(f"'{v['feature']}'" for v in ranked["vocabulary"][:5])
        lines.append(_one_line(f"label vocabulary (what the labels mean, no action): {words}"
                               + (f" and {len(ranked['vocabulary']) - 5} more" if len(ranked["vocabulary"]) > 5 else ""), 200))
    shown = [f for f in result.findings if f.severity != "info"][:top]
    if shown:
        lines.append("top findings:")
        for f in shown:
            where = _one_line("/".join(x for x in (f.domain, f.label, f.split) if x), 60)
            lines.append(f"  [{f.severity:<5}] {f.check}{' ' + where if where else ''}: {_one_line(f.message)}")
        more = sum(f.severity != "info" for f in result.findings) - len(shown)
        if more > 0:
            lines.append(f"  ... and {more} more warnings/errors in the report")
    lines.append(f"report: {paths['html']}")
    lines.append(f"json:   {paths['json']}")
    lines.append(f"flags:  {paths['flags']}")
    if "recipe" in paths:
        lines.append(f"suggested recipe: {paths['recipe']}")
    return "\n".join(lines)


def _band_line(ready: dict) -> str:
    """``B (A blocked by token_shortcut, domain_confounding); by domain: web C, legal A``."""
    band = ready["band"]
    nxt = {None: "C", "C": "B", "B": "A", "A": None}[band]
    blockers = sorted({r["check"] or "unreadable rows" for r in ready["reasons"] if r["band"] == nxt})
    text = f"{band or 'none'}" + (f" ({nxt} blocked by {', '.join(blockers)})" if nxt and blockers else "")
    if len(ready["by_domain"]) > 1:
        text += "; by domain: " + ", ".join(f"{d} {b or 'none'}" for d, b in ready["by_domain"].items())
    return _one_line(text, 200)


def _one_line(text: str, n: int = 140) -> str:
    """One printable line: corpus text may hold control characters (terminal escapes), shown escaped."""
    text = " ".join(str(text).split())
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= n else text[: n - 1] + "…"
