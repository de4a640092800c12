"""The ``sieve`` command line.

Sub-commands are defined next to the code they drive and imported lazily, so
``sieve --help`` stays fast (no polars/transformers import before it is needed):

* ``sieve clean``         -> :mod:`pipeline.clean_cli`
* ``sieve runs``          -> :mod:`pipeline.runs_cli`
* ``sieve filters``       -> :mod:`pipeline.filters_cli`
* ``sieve recipes``       -> :mod:`pipeline.recipes_cli`
* ``sieve audit``         -> :mod:`audits.cli`
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# sub-command -> module providing ``add_arguments(parser)`` and ``run(args) -> int``
_COMMANDS: dict[str, tuple[str, str]] = {
    "clean": ("pipeline.clean_cli", "clean a corpus with a recipe; writes a run directory"),
    "runs": ("pipeline.runs_cli", "list and compare run directories"),
    "filters": ("pipeline.filters_cli", "list the filters a recipe can name, with their parameters"),
    "recipes": ("pipeline.recipes_cli", "list the recipes shipped in the package (run one with --recipe NAME)"),
    "audit": ("audits.cli", "audit a labelled corpus for shortcuts, imbalance and leakage before training"),
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
    return int(importlib.import_module(args._module).run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
