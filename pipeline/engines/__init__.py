"""Execution engines: where a recipe runs.

* ``local`` -- :func:`corpus_sieve.pipeline.engines.local.run_pipeline`, one process, streaming.
* ``ray`` -- :func:`corpus_sieve.pipeline.engines.ray.run_pipeline_ray`, Ray Data on a
  local or remote cluster (``pip install 'corpus-sieve[ray]'``).

Both write the same run directory (same kept/rejected rows, same
``stats.json``); :func:`run` picks one by name.

>>> ENGINES
('local', 'ray')
>>> run_with_engine("spark", [], None, "runs")
Traceback (most recent call last):
...
ValueError: unknown engine 'spark' (choose from: local, ray)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

ENGINES = ("local", "ray")


def ray_available() -> bool:
    """True when Ray Data can be imported (the ``ray`` extra is installed)."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


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

    ``options`` go to the engine (``strict``, ``progress``, ``batch_size``,
    ``skew_threshold``; the local engine also takes ``dev``, ``dev_per_stratum``,
    ``seed``). ``ray_address`` only applies to the ray engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from: {', '.join(ENGINES)})")
    if engine == "local":
        if ray_address:
            raise ValueError("--ray-address needs --engine ray")
        from corpus_sieve.pipeline.engines.local import run_pipeline

        return run_pipeline(inputs, recipe, out_base, **options)
    from corpus_sieve.pipeline.engines.ray import run_pipeline_ray

    if options.pop("dev", False):
        raise ValueError("--dev runs a small sample: use the local engine for it (drop --engine ray)")
    options.pop("dev_per_stratum", None)
    options.pop("seed", None)
    return run_pipeline_ray(inputs, recipe, out_base, address=ray_address, **options)
