"""The Engine interface: one small protocol, two engines, the same options."""

from __future__ import annotations

import inspect
import json

import pytest

from corpus_sieve.pipeline.engines import Engine, LocalEngine, RayEngine, get_engine, run_with_engine
from corpus_sieve.pipeline.recipe.recipe import Recipe


def test_both_engines_take_the_same_run_arguments() -> None:
    local, ray = inspect.signature(LocalEngine.run), inspect.signature(RayEngine.run)
    assert local.parameters.keys() == ray.parameters.keys() == inspect.signature(Engine.run).parameters.keys()


def test_get_engine_picks_by_name_and_refuses_options_it_cannot_use() -> None:
    assert isinstance(get_engine("local", dev=True, seed=3), LocalEngine)
    assert get_engine("ray", ray_address="auto") == RayEngine(address="auto")
    with pytest.raises(ValueError, match="--ray-address needs --engine ray"):
        get_engine("local", ray_address="auto")
    with pytest.raises(ValueError, match="use the local engine"):
        get_engine("ray", dev=True)
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        get_engine("spark")


def test_the_local_engine_runs_a_recipe(tmp_path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps({"text": t}) for t in ["olá mundo", "", "olá mundo"]) + "\n", encoding="utf-8")
    recipe = Recipe.from_dict({"stages": [{"filter": "reject_empty"}, {"filter": "exact_dedup"}]})
    result = run_with_engine("local", [corpus], recipe, tmp_path / "runs", progress=False)
    assert result.stats["totals"]["kept"] == 1 and result.stats["totals"]["rejected"] == 2
    assert result.accounted
