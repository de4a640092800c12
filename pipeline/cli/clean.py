"""``sieve clean``: clean a corpus with a recipe; writes a run directory.

Heavy imports (polars, filters) happen inside :func:`run`, so that building
the ``sieve`` parser stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any
from pathlib import Path

#: exit codes: 0 ok, 1 rows were not accounted for (a bug), 2 bad recipe/input/arguments
EXIT_OK = 0
EXIT_ACCOUNTING = 1
EXIT_USAGE = 2
#: 128 + signal number, as shells report a process stopped by SIGINT / SIGTERM
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="corpus files (jsonl, csv, tsv, parquet, .gz), directories, globs or saved datasets")
    parser.add_argument("--recipe", metavar="FILE_OR_NAME",
                        help="a recipe file (.yaml/.yml/.toml) or the name of a preset shipped in the package "
                             "(`sieve recipes` lists them); default: the 'default' preset, safe for any corpus")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="base directory for run directories (DIR/<run id>/, DIR/latest)")
    parser.add_argument("--dev", action="store_true",
                        help="the 10-second rule: run the full pipeline on a seeded sample stratified by domain x label")
    parser.add_argument("--dev-per-stratum", type=_positive_int, metavar="N",
                        help="dev mode: at most N rows per domain x label (default: recipe dev.per_stratum, 200)")
    parser.add_argument("--seed", type=int, metavar="N", help="dev mode: sampling seed (default: recipe dev.seed, 0)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first unreadable row (message names file, line and column) "
                             "instead of rejecting it with a reason")
    parser.add_argument("--resume", type=Path, metavar="RUN_DIR",
                        help="continue a killed or interrupted run from its last checkpoint "
                             "(a run directory, or OUT/latest); needs no other arguments")
    parser.add_argument("--batch-size", type=_positive_int, metavar="N",
                        help="rows per batch (default: recipe batch_size, 10000); output does not depend on it")
    parser.add_argument("--workers", type=_positive_int, metavar="N",
                        help="processes for per-row Python filters such as remove_boilerplate "
                             "(default: recipe workers, else $SIEVE_WORKERS, else the CPU count; 1 = no pool)")
    parser.add_argument("--quiet", action="store_true", help="no progress, one summary line")
    parser.add_argument("--no-report", action="store_true",
                        help="do not write report.html (the run's page: funnel, plots, examples) into the run directory")
    from corpus_sieve.pipeline.cli import engine_options as engine_cli  # --engine, --ray-address, --save-to-disk, --push-to-hub

    engine_cli.add_arguments(parser)


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"sieve clean: error: {message}", file=sys.stderr)
    return code


def _raise_on_sigterm(signum: int, frame: object) -> None:
    # SIGTERM (kill, a scheduler's timeout) stops the run like Ctrl-C: at the
    # next Python instruction, keeping the last checkpoint for --resume
    exc = KeyboardInterrupt("SIGTERM")
    exc.signal_name = "SIGTERM"  # type: ignore[attr-defined]
    raise exc


def _interrupted(exc: KeyboardInterrupt) -> int:
    from corpus_sieve.pipeline.run.errors import InterruptedAfterFinish, RunInterrupted

    name = getattr(exc, "signal_name", "SIGINT")
    print(file=sys.stderr)
    if isinstance(exc, InterruptedAfterFinish):
        print(f"sieve clean: {exc.message}.", file=sys.stderr)
    elif isinstance(exc, RunInterrupted) and exc.run_dir is not None:
        print(f"sieve clean: {exc.message}.", file=sys.stderr)
        print(f"Continue it with:\n  {exc.resume_command()}", file=sys.stderr)
    else:
        print(f"sieve clean: interrupted by {name}.", file=sys.stderr)
    return EXIT_TERMINATED if name == "SIGTERM" else EXIT_INTERRUPTED


def run(args: argparse.Namespace) -> int:
    import signal

    try:
        previous = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    except ValueError:  # not the main thread (an embedding application): leave signals alone
        previous = None
    try:
        return _run(args)
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if "corpus_sieve.filters.tokens.token_length" in sys.modules:  # an embedding application gets the default back
            sys.modules["corpus_sieve.filters.tokens.token_length"].load_in_background(False)


def _resume_options_given(args: argparse.Namespace) -> list[str]:
    """Options that --resume must not get: the run keeps the ones it started with."""
    options = (("INPUT", args.inputs), ("--out", args.out), ("--dev", args.dev), ("--strict", args.strict),
               ("--batch-size", args.batch_size), ("--seed", args.seed), ("--dev-per-stratum", args.dev_per_stratum))
    return [name for name, value in options if value]


def _run(args: argparse.Namespace) -> int:
    if args.resume is not None:
        given = _resume_options_given(args)
        if given:
            return _fail(f"--resume continues a run with the input and options it started with; "
                         f"do not give {', '.join(given)}")
    elif not args.inputs:
        return _fail("give at least one INPUT (or --resume RUN_DIR)")
    elif args.out is None:
        return _fail("give --out DIR, the base directory for run directories")
    # cleaning makes no BLAS calls: numpy's OpenBLAS would otherwise start a busy-waiting
    # thread per core (in this process and in each worker) that competes with the run
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from corpus_sieve.pipeline.run.memory import bound_malloc_retention

    bound_malloc_retention()  # before the first large buffer: peak RSS stays flat on long runs
    from corpus_sieve.pipeline.recipe.presets import DEFAULT_PRESET, UnknownRecipe, preset_path, resolve_recipe

    recipe_path: Path | None = None  # None with --resume: the recipe file the run started with
    try:
        if args.recipe is not None:
            recipe_path = resolve_recipe(args.recipe)
        elif args.resume is None:
            recipe_path = preset_path(DEFAULT_PRESET)
    except UnknownRecipe as exc:
        return _fail(str(exc))
    early_counters: dict = {}
    if args.resume is None:
        from corpus_sieve.pipeline.run.early_start import start_counters
        from corpus_sieve.pipeline.run.rundir import prefetch_fingerprints

        # the recipe's local tokenizers start loading now, on the core the imports below leave idle
        early_counters = start_counters(recipe_path)
        if not args.dev:  # a --dev run fingerprints only what its sample reads
            prefetch_fingerprints(args.inputs)  # hashed while polars is imported and the recipe loads
    from corpus_sieve.pipeline.cli import engine_options as engine_cli

    problem = engine_cli.check(args)
    if problem:
        return _fail(problem)
    from corpus_sieve.pipeline.run.errors import ResumeError
    from corpus_sieve.pipeline.io.readers import InputError
    from corpus_sieve.pipeline.recipe.recipe import RecipeError, load_recipe
    from corpus_sieve.pipeline.run.result import AccountingError
    from corpus_sieve.pipeline.engines.local import resume_pipeline, run_pipeline

    if getattr(args, "workers", None) is not None:
        from corpus_sieve.pipeline.run import parallel

        parallel.set_workers(args.workers)
    from corpus_sieve.filters.tokens import token_length

    token_length.load_in_background()  # a local tokenizer loads in its own process while the run starts
    token_length.adopt_counters(early_counters)
    try:
        recipe = load_recipe(recipe_path) if recipe_path is not None else None
    except RecipeError as exc:
        return _fail(f"{exc}\nFix the recipe and run again (`sieve filters` lists filters and their parameters).")

    try:
        if args.resume is not None:
            result = resume_pipeline(args.resume, recipe, progress=not args.quiet)
        elif args.engine != "local":
            result = engine_cli.run(args, recipe)
        else:
            result = run_pipeline(
                args.inputs, recipe, args.out,
                dev=args.dev, strict=args.strict, progress=not args.quiet,
                batch_size=args.batch_size, dev_per_stratum=args.dev_per_stratum, seed=args.seed,
            )
    except ResumeError as exc:
        return _fail(f"cannot resume: {exc}")
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

    try:
        return _report(args, result, recipe)
    except KeyboardInterrupt as exc:
        from corpus_sieve.pipeline.run.errors import InterruptedAfterFinish

        raise InterruptedAfterFinish(result.path, getattr(exc, "signal_name", "SIGINT")) from None


def _report(args: argparse.Namespace, result: Any, recipe: Any) -> int:
    """Publish extra outputs and print the summary of a finished run."""
    from corpus_sieve.pipeline.cli import engine_options as engine_cli
    from corpus_sieve.pipeline.run.summary import format_summary

    problem = engine_cli.publish(args, result, recipe)
    if problem:
        return _fail(f"{problem} (the run itself succeeded: {result.path})")
    report = None
    if not args.no_report:
        from corpus_sieve.pipeline.report.run_report import write_run_report

        try:
            report = write_run_report(result.path)
        except Exception as exc:  # the run itself is done and accounted for: say so, do not fail it
            print(f"sieve clean: warning: report.html could not be written ({type(exc).__name__}: {exc}); "
                  "the run's outputs are complete", file=sys.stderr)
    totals = result.stats["totals"]
    if args.quiet:
        print(
            f"{totals['input']:,} rows: {totals['kept']:,} kept, {totals['rejected']:,} rejected"
            f"{' (dev sample)' if result.dev else ''}; kept + rejected = input: OK; "
            f"{len(result.skewed)} label-skewed stage(s); run directory {result.path}"
        )
    else:
        print(format_summary(result.stats, str(result.path), result.dev_info if result.dev else None))
        if report is not None:
            print(f"report: {report}")
    return EXIT_OK
