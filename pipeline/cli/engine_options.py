"""``sieve clean`` options for engines and Hugging Face output.

``--engine ray [--ray-address ADDR]`` runs the recipe on Ray Data;
``--save-to-disk DIR`` writes the kept rows as a ``datasets.DatasetDict``
(keyed by split); ``--push-to-hub REPO`` pushes that DatasetDict to the Hub.
Kept apart from :mod:`corpus_sieve.pipeline.cli.clean` so that the parser stays light
(nothing heavy is imported here).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from corpus_sieve.pipeline.engines import ENGINES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("scale out and Hugging Face datasets")
    group.add_argument("--engine", choices=ENGINES, default="local",
                       help="where the recipe runs: local (one process, default) or ray (Ray Data; "
                            "pip install 'corpus-sieve[ray]'); both write the same run directory")
    group.add_argument("--ray-address", metavar="ADDR",
                       help="join this Ray cluster (e.g. auto, 10.0.0.1:6379, ray://head:10001); "
                            "default: start a local one with all CPUs (needs --engine ray)")
    group.add_argument("--save-to-disk", metavar="DIR",
                       help="also write the kept rows as a datasets.DatasetDict (one split per value of the "
                            "split column, else 'train') with save_to_disk")
    group.add_argument("--push-to-hub", metavar="REPO",
                       help="also push the kept rows as a DatasetDict to the Hugging Face Hub repo REPO "
                            "(needs network access and a token: HF_TOKEN or `hf auth login`)")
    group.add_argument("--hub-private", action="store_true", help="with --push-to-hub: create the repo private")


def check(args: argparse.Namespace) -> str | None:
    """A usage problem with these options (before anything runs), or None."""
    engine = getattr(args, "engine", "local")
    if getattr(args, "ray_address", None) and engine != "ray":
        return "--ray-address needs --engine ray"
    if engine == "ray":
        from corpus_sieve.pipeline.engines import ray_available

        if not ray_available():
            return "--engine ray needs Ray Data, which is not installed: pip install 'corpus-sieve[ray]'"
        if getattr(args, "resume", None) is not None:
            return "--resume continues runs of the local engine; drop --engine ray"
        if getattr(args, "dev", False):
            return "--dev runs a small sample: use the local engine for it (drop --engine ray)"
    if getattr(args, "push_to_hub", None):
        from corpus_sieve.pipeline.io.hf_datasets import HubError, check_hub_access

        try:
            check_hub_access(args.push_to_hub)
        except HubError as exc:
            return str(exc)
    return None


def run(args: argparse.Namespace, recipe: Any) -> Any:
    """Run the recipe with the chosen engine (a ``RunResult``)."""
    from corpus_sieve.pipeline.engines import run_with_engine

    options: dict[str, Any] = {"strict": args.strict, "progress": not args.quiet, "batch_size": args.batch_size}
    if args.engine == "local":
        options.update(dev=args.dev, dev_per_stratum=args.dev_per_stratum, seed=args.seed)
    return run_with_engine(args.engine, args.inputs, recipe, args.out, ray_address=args.ray_address, **options)


def publish(args: argparse.Namespace, result: Any, recipe: Any) -> str | None:
    """Write/push the kept rows as a DatasetDict when asked; a problem message or None."""
    save_dir = getattr(args, "save_to_disk", None)
    repo = getattr(args, "push_to_hub", None)
    if not save_dir and not repo:
        return None
    from corpus_sieve.pipeline.io.hf_datasets import HubError, kept_to_datasetdict, push_to_hub, save_to_disk

    if recipe is not None:
        split_column = recipe.columns.split or "split"
    else:  # --resume: the columns the run started with
        split_column = (result.run_dir.read_json("recipe.json").get("columns") or {}).get("split") or "split"
    dd = kept_to_datasetdict(result.run_dir.kept_path, split_column=split_column)
    splits = ", ".join(f"{k} ({len(v):,})" for k, v in dd.items())
    if save_dir:
        save_to_disk(dd, save_dir)
        print(f"kept rows saved as a DatasetDict in {save_dir}: {splits}", file=sys.stderr)
    if repo:
        try:
            push_to_hub(dd, repo, private=args.hub_private)
        except HubError as exc:
            return str(exc)
        print(f"kept rows pushed to https://huggingface.co/datasets/{repo}: {splits}", file=sys.stderr)
    return None
