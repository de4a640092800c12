"""Execution engines: where a recipe runs. Scheduling only: both call the one per-batch loop
(:func:`corpus_sieve.pipeline.run.batch.apply_stages`) and end in the same accounting
(:mod:`corpus_sieve.pipeline.run.result`).

* ``local`` -- :class:`LocalEngine`, one process, streaming, resumable
  (:mod:`corpus_sieve.pipeline.engines.local`).
* ``ray`` -- :class:`RayEngine`, Ray Data on a local or remote cluster
  (:mod:`corpus_sieve.pipeline.engines.ray`; ``pip install 'corpus-sieve[ray]'``).

Both write the same run directory (same kept/rejected rows, same ``stats.json``).

>>> ENGINES
('local', 'ray')
>>> get_engine("local", dev=True).name
'local'
>>> run_with_engine("spark", [], None, "runs")
Traceback (most recent call last):
...
ValueError: unknown engine 'spark' (choose from: local, ray)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Sequence

if TYPE_CHECKING:
    from corpus_sieve.pipeline.recipe.recipe import Recipe
    from corpus_sieve.pipeline.run.result import RunResult

__all__ = ["ENGINES", "Engine", "LocalEngine", "RayEngine", "get_engine", "ray_available", "run_with_engine"]

ENGINES = ("local", "ray")


class Engine(Protocol):
    """Runs a recipe on its inputs into a new run directory under ``out_base``."""

    name: ClassVar[str]

    def run(self, inputs: Sequence[Path | str], recipe: Recipe, out_base: Path | str, *, strict: bool = False,
            progress: Any = True, batch_size: int | None = None, **options: Any) -> RunResult:
        """Clean ``inputs``; the run's :class:`~corpus_sieve.pipeline.run.result.RunResult`."""
        ...


@dataclass
class LocalEngine:
    """One process, streaming; ``dev`` runs on a stratified sample (the 10-second rule)."""

    name: ClassVar[str] = "local"
    dev: bool = False
    dev_per_stratum: int | None = None
    seed: int | None = None

    def run(self, inputs: Sequence[Path | str], recipe: Recipe, out_base: Path | str, *, strict: bool = False,
            progress: Any = True, batch_size: int | None = None, **options: Any) -> RunResult:
        from corpus_sieve.pipeline.engines.local import run_pipeline

        return run_pipeline(inputs, recipe, out_base, dev=self.dev, strict=strict, progress=progress,
                            batch_size=batch_size, dev_per_stratum=self.dev_per_stratum, seed=self.seed, **options)


@dataclass
class RayEngine:
    """Ray Data; ``address`` joins a cluster (``ray://host:10001``, ``auto``), else a local one starts."""

    name: ClassVar[str] = "ray"
    address: str | None = None
    num_cpus: int | None = None

    def run(self, inputs: Sequence[Path | str], recipe: Recipe, out_base: Path | str, *, strict: bool = False,
            progress: Any = True, batch_size: int | None = None, **options: Any) -> RunResult:
        from corpus_sieve.pipeline.engines.ray import run_pipeline_ray

        return run_pipeline_ray(inputs, recipe, out_base, strict=strict, progress=progress, batch_size=batch_size,
                                address=self.address, num_cpus=self.num_cpus, **options)


def ray_available() -> bool:
    """True when Ray Data can be imported (the ``ray`` extra is installed)."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


def get_engine(name: str, *, ray_address: str | None = None, dev: bool = False,
               dev_per_stratum: int | None = None, seed: int | None = None) -> Engine:
    """The engine called ``name``; ``ValueError`` for an unknown name or an option it does not take."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r} (choose from: {', '.join(ENGINES)})")
    if name == "local":
        if ray_address:
            raise ValueError("--ray-address needs --engine ray")
        return LocalEngine(dev=dev, dev_per_stratum=dev_per_stratum, seed=seed)
    if dev:
        raise ValueError("--dev runs a small sample: use the local engine for it (drop --engine ray)")
    return RayEngine(address=ray_address)


def run_with_engine(
    engine: str,
    inputs: Sequence[Path | str],
    recipe: Any,
    out_base: Path | str,
    *,
    ray_address: str | None = None,
    **options: Any,
) -> Any:
    """Run ``recipe`` on ``inputs`` with ``engine`` (``"local"`` or ``"ray"``); a ``RunResult``.

    ``options`` go to the engine's ``run`` (``strict``, ``progress``, ``batch_size``,
    ``skew_threshold``); ``dev``, ``dev_per_stratum`` and ``seed`` choose the local
    engine's sample, ``ray_address`` the ray engine's cluster.
    """
    chosen = get_engine(engine, ray_address=ray_address, dev=options.pop("dev", False),
                        dev_per_stratum=options.pop("dev_per_stratum", None), seed=options.pop("seed", None))
    return chosen.run(inputs, recipe, out_base, **options)
