"""``sieve clean``: clean a corpus with a recipe; writes a run directory.

Heavy imports (polars, filters) happen inside :func:`run`, so that building
the ``sieve`` parser stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: exit codes: 0 ok, 1 rows were not accounted for (a bug), 2 bad recipe/input/arguments
EXIT_OK = 0
EXIT_ACCOUNTING = 1
EXIT_USAGE = 2

DEFAULT_RECIPE = Path(__file__).resolve().parent.parent / "data" / "default_recipe.yaml"


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="corpus files (jsonl, csv, tsv, parquet, .gz), directories, globs or saved datasets")
    parser.add_argument("--recipe", type=Path, metavar="FILE",
                        help="recipe (.yaml/.yml/.toml); default: data/default_recipe.yaml of the checkout")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="base directory for run directories (DIR/<run id>/, DIR/latest)")
    parser.add_argument("--dev", action="store_true",
                        help="the 10-second rule: run the full pipeline on a seeded sample stratified by domain x label")
    parser.add_argument("--dev-per-stratum", type=_positive_int, metavar="N",
                        help="dev mode: at most N rows per domain x label (default: recipe dev.per_stratum, 200)")
    parser.add_argument("--seed", type=int, metavar="N", help="dev mode: sampling seed (default: recipe dev.seed, 0)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first unreadable row instead of rejecting it with a reason")
    parser.add_argument("--batch-size", type=_positive_int, metavar="N",
                        help="rows per batch (default: recipe batch_size, 10000); output does not depend on it")
    parser.add_argument("--quiet", action="store_true", help="no progress, one summary line")


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"sieve clean: error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from pipeline.readers import InputError
    from pipeline.recipe import RecipeError, load_recipe
    from pipeline.runner import AccountingError, run_pipeline
    from pipeline.summary import format_summary

    recipe_path = args.recipe
    if recipe_path is None:
        recipe_path = DEFAULT_RECIPE
        if not recipe_path.is_file():
            return _fail(
                f"no --recipe given and the default recipe was not found at {recipe_path} "
                "(it ships with the repository checkout in data/); pass --recipe FILE"
            )
    try:
        recipe = load_recipe(recipe_path)
    except RecipeError as exc:
        return _fail(f"{exc}\nFix the recipe and run again (`sieve filters` lists filters and their parameters).")

    try:
        result = run_pipeline(
            args.inputs, recipe, args.out,
            dev=args.dev, strict=args.strict, progress=not args.quiet,
            batch_size=args.batch_size, dev_per_stratum=args.dev_per_stratum, seed=args.seed,
        )
    except RecipeError as exc:
        return _fail(f"{exc}\nThe recipe {recipe_path} does not fit this input.")
    except InputError as exc:
        return _fail(f"cannot read the input: {exc}")
    except AccountingError as exc:
        print("\n" + "!" * 78, file=sys.stderr)
        print(f"sieve clean: FATAL: {exc}", file=sys.stderr)
        print("!" * 78, file=sys.stderr)
        return EXIT_ACCOUNTING
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))

    totals = result.stats["totals"]
    if args.quiet:
        print(
            f"{totals['input']:,} rows: {totals['kept']:,} kept, {totals['rejected']:,} rejected"
            f"{' (dev sample)' if result.dev else ''}; kept + rejected = input: OK; "
            f"{len(result.skewed)} label-skewed stage(s); run directory {result.path}"
        )
    else:
        print(format_summary(result.stats, str(result.path), result.dev_info if result.dev else None))
    return EXIT_OK
