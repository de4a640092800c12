"""The ``sieve`` command line.

Sub-commands are defined next to the code they drive and imported lazily, so
``sieve --help`` stays fast (no polars/transformers import before it is needed):

* ``sieve clean``         -> :mod:`corpus_sieve.pipeline.cli.clean`
* ``sieve runs``          -> :mod:`corpus_sieve.pipeline.cli.runs`
* ``sieve filters``       -> :mod:`corpus_sieve.pipeline.cli.filters`
* ``sieve recipes``       -> :mod:`corpus_sieve.pipeline.cli.recipes`
* ``sieve audit``         -> :mod:`corpus_sieve.pipeline.cli.audit`
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# sub-command -> module providing ``add_arguments(parser)`` and ``run(args) -> int``
_COMMANDS: dict[str, tuple[str, str]] = {
    "clean": ("corpus_sieve.pipeline.cli.clean", "clean a corpus with a recipe; writes a run directory"),
    "runs": ("corpus_sieve.pipeline.cli.runs", "list and compare run directories"),
    "filters": ("corpus_sieve.pipeline.cli.filters", "list the filters a recipe can name, with their parameters"),
    "recipes": ("corpus_sieve.pipeline.cli.recipes", "list the recipes shipped in the package (run one with --recipe NAME)"),
    "audit": ("corpus_sieve.pipeline.cli.audit", "audit a labelled corpus for shortcuts, imbalance and leakage before training"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sieve",
        description="corpus-sieve: clean text corpora and audit them before training.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except BrokenPipeError:
        # the reader of our output went away (`sieve filters | head`): stop quietly, as Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
