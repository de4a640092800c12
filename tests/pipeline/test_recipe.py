"""Recipe loading and validation: every mistake reported at once, with its location."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from corpus_sieve.filters import CharLength, NormalizeWhitespace
from corpus_sieve.filters.base import Check
from corpus_sieve.filters import registry
from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.recipe.recipe import Recipe, RecipeError, load_recipe


def errors_of(data: dict, base_dir: Path | None = None) -> list[str]:
    with pytest.raises(RecipeError) as info:
        Recipe.from_dict(data, base_dir=base_dir)
    return info.value.errors


# -- loading -------------------------------------------------------------------------------

FULL_YAML = """
name: ptvid-test
columns: {text: sentence, label: variety, domain: domain, id: id, language: language}
batch_size: 5000
outputs: [parquet, jsonl]
examples_per_rule: 3
stages:
  - filter: normalize_whitespace
  - filter: char_length
    domains: [web, social_media]
    params: {min_chars: 10, max_chars: 900}
    per_domain:
      social_media: {min_chars: 3}
  - filter: regex_replace
    params: {pattern: "\\\\[\\\\d+\\\\]"}
    params_from_columns: {replacement: marker}
audit: {checks: [duplicates], anything: [1, 2]}
"""


def test_yaml_recipe_loads_with_every_field(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(FULL_YAML, encoding="utf-8")
    recipe = load_recipe(path)
    assert recipe.name == "ptvid-test"
    assert recipe.columns == ColumnMap(text="sentence", label="variety", domain="domain", id="id", language="language")
    assert recipe.batch_size == 5000
    assert recipe.outputs == ("parquet", "jsonl")
    assert recipe.examples_per_rule == 3
    assert recipe.audit == {"checks": ["duplicates"], "anything": [1, 2]}  # passed through untouched
    assert [s.name for s in recipe.stages] == ["normalize_whitespace", "char_length", "regex_replace"]
    length = recipe.stages[1]
    assert length.domains == frozenset({"web", "social_media"})
    assert length.per_domain == {"social_media": {"min_chars": 3}}
    assert recipe.stages[2].params_from_columns == {"replacement": "marker"}
    assert recipe.source == path.resolve()


def test_toml_recipe_gives_the_same_stages_as_yaml(tmp_path):
    (tmp_path / "r.toml").write_text(textwrap.dedent("""
        name = "ptvid-test"
        [[stages]]
        filter = "normalize_whitespace"
        [[stages]]
        filter = "char_length"
        domains = ["web"]
        params = {min_chars = 10}
        [stages.per_domain.web]
        max_chars = 50
    """), encoding="utf-8")
    (tmp_path / "r.yml").write_text(textwrap.dedent("""
        name: ptvid-test
        stages:
          - filter: normalize_whitespace
          - filter: char_length
            domains: [web]
            params: {min_chars: 10}
            per_domain: {web: {max_chars: 50}}
    """), encoding="utf-8")
    a, b = load_recipe(tmp_path / "r.toml"), load_recipe(tmp_path / "r.yml")
    assert a.resolved()["stages"] == b.resolved()["stages"]


def test_relative_paths_resolve_against_the_recipe_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "r.yaml"
    path.write_text(
        "stages:\n  - filter: regex_replace\n    params: {pattern: x, replacement: ./tok}\n"
        "    per_domain: {web: {replacement: ../up}}\n",
        encoding="utf-8",
    )
    stage = load_recipe(path).stages[0]
    assert stage.params["replacement"] == str((tmp_path / "sub" / "tok").resolve())
    assert stage.per_domain["web"]["replacement"] == str((tmp_path / "up").resolve())
    assert stage.params["pattern"] == "x"  # other strings untouched


def test_recipes_are_data_only_python_tags_are_refused(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\nstages: []\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="cannot parse"):
        load_recipe(path)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("r.json", "{}", "unsupported recipe format '.json'"),
        ("r.yaml", "stages: [unclosed", "cannot parse"),
        ("r.toml", "stages = [", "cannot parse"),
        ("r.yaml", "- just\n- a list\n", "top level: expected a mapping, got a list"),
    ],
)
def test_unreadable_recipe_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecipeError, match=message):
        load_recipe(path)


def test_missing_recipe_file(tmp_path):
    with pytest.raises(RecipeError, match="file not found"):
        load_recipe(tmp_path / "nope.yaml")


def test_empty_recipe_is_valid_and_does_nothing():
    recipe = Recipe.from_dict({})
    assert recipe.stages == [] and recipe.columns == ColumnMap() and recipe.outputs == ("parquet",)


# -- validation: golden messages -------------------------------------------------------------

def test_every_mistake_is_reported_at_once_with_its_location():
    bad = {
        "nmae": "x",
        "batch_size": "big",
        "outputs": ["parquet", "jsnl"],
        "columns": {"txt": "sentence", "label": 3},
        "stages": [
            {"filter": "char_lenght"},
            {"filter": "char_length", "params": {"min_chars": "ten", "max_char": 3}},
            {"filter": "char_length", "params": {"min_chars": 10, "max_chars": 5}},
            {"filter": "char_length", "domains": "web", "per_domain": {"web": 3}},
            {"filter": "normalize_whitespace", "params_from_columns": {"keep_newline": "x"}, "domain": ["web"]},
            "normalize_whitespace",
            {"params": {}},
            {"filter": "regex_replace", "params": {"pattern": "(ab"}},
            {"filter": "char_length", "per_domain": {"social_media": {"min_chars": 10, "max_chars": 2}}},
            {"filter": "regex_replace"},
        ],
    }
    errors = errors_of(bad)
    assert errors[:13] == [
        "nmae: unknown key (did you mean 'name'?) (allowed: name, description, columns, reader, batch_size, workers, outputs, examples_per_rule, dev, stages, audit)",
        "columns.txt: unknown column role (did you mean 'text'?) (allowed: text, label, domain, id, language, split, source)",
        "columns.label: expected a column name (string), got 3",
        "batch_size: expected a positive int, got 'big'",
        "outputs[1]: unknown output 'jsnl' (did you mean 'jsonl'?) (allowed: parquet, jsonl, datasets)",
        "stages[0].filter: unknown filter 'char_lenght'. Did you mean 'char_length'?",
        "stages[1].params.min_chars: expected int or null, got 'ten'",
        "stages[1].params.max_char: char_length has no parameter 'max_char' (did you mean 'max_chars' or 'min_chars'?) (accepted: min_chars, max_chars)",
        "stages[2] (char_length): min_chars (10) is greater than max_chars (5)",
        "stages[3].domains: expected a non-empty list of domain names (strings), got 'web'",
        "stages[3].per_domain.web: expected a mapping of parameter overrides, got 3",
        "stages[4].domain: unknown key (did you mean 'domains' or 'per_domain'?) (allowed: filter, name, params, domains, skip_domains, per_domain, params_from_columns)",
        "stages[4].params_from_columns.keep_newline: normalize_whitespace has no parameter 'keep_newline' (did you mean 'keep_newlines'?) (accepted: keep_newlines)",
    ]
    assert errors[13] == "stages[5]: expected a mapping like {filter: NAME, params: {...}}, got a string"
    assert errors[14] == "stages[6]: missing 'filter' (the name of a registered filter; see `sieve filters`)"
    assert errors[15].startswith("stages[7] (regex_replace): invalid regex '(ab'")
    assert errors[16] == "stages[8].per_domain.social_media (char_length): min_chars (10) is greater than max_chars (2)"
    assert errors[17] == "stages[9].params: regex_replace needs 'pattern'"
    assert len(errors) == 18


def test_error_message_lists_every_problem_in_one_paragraph():
    with pytest.raises(RecipeError) as info:
        Recipe.from_dict({"batch_size": 0, "stages": [{"filter": "nope_nothing_like_it"}]}, source="r.yaml")
    text = str(info.value)
    assert text.startswith("recipe r.yaml has 2 problems:\n  - batch_size: expected a positive int, got 0\n")
    assert "stages[0].filter: unknown filter 'nope_nothing_like_it'. Known filters: " in text
    assert "char_length" in text  # the known filters are listed when nothing is close


@pytest.mark.parametrize(
    "stage, message",
    [
        ({"filter": "char_length", "params": {"min_chars": True}}, "stages[0].params.min_chars: expected int or null, got True"),
        ({"filter": "char_length", "params": {"min_chars": 2.5}}, "stages[0].params.min_chars: expected int or null, got 2.5"),
        ({"filter": "char_length", "params": [1]}, "stages[0].params: expected a mapping of parameter names to values, got a list"),
        ({"filter": "char_length", "per_domain": [1]}, "stages[0].per_domain: expected a mapping of domain -> parameter overrides, got a list"),
        ({"filter": "char_length", "per_domain": {"web": {"min_chars": "ten"}}}, "stages[0].per_domain.web.min_chars: expected int or null, got 'ten'"),
        ({"filter": "char_length", "domains": [1, 2]}, "stages[0].domains: expected a non-empty list of domain names (strings), got [1, 2]"),
        ({"filter": "char_length", "domains": []}, "stages[0].domains: expected a non-empty list of domain names (strings), got []"),
        ({"filter": "char_length", "domains": ["web"], "per_domain": {"legal": {"min_chars": 1}}},
         "stages[0].per_domain.legal: domain 'legal' is not in stages[0].domains, so this override never applies"),
        ({"filter": "normalize_whitespace", "params": {"keep_newlines": "yes"}}, "stages[0].params.keep_newlines: expected bool, got 'yes'"),
        ({"filter": "remove_hashtags", "params": {"mode": "keep"}}, "stages[0] (remove_hashtags): mode must be 'drop' or 'keep_word', got 'keep'"),
        ({"filter": "normalize_whitespace", "params_from_columns": {"keep_newlines": 3}},
         "stages[0].params_from_columns.keep_newlines: expected a column name, got 3"),
        ({"filter": 7}, "stages[0].filter: expected a filter name, got 7"),
        ({"filter": "reject_empty", "params": {"x": 1}}, "stages[0].params.x: reject_empty has no parameter 'x' (it takes no parameters)"),
    ],
)
def test_stage_mistakes(stage, message):
    assert errors_of({"stages": [stage]}) == [message]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"stages": {"filter": "x"}}, "stages: expected a list of stages, got a mapping"),
        ({"columns": ["text"]}, "columns: expected a mapping like {text: text, label: label}, got a list"),
        ({"columns": {"text": None}}, "columns.text: expected a column name, got null"),
        ({"outputs": "jsonl"}, "outputs: expected a list of parquet, jsonl, datasets, got 'jsonl'"),
        ({"examples_per_rule": -1}, "examples_per_rule: expected a non-negative int, got -1"),
        ({"name": 3}, "name: expected a string, got 3"),
        ({"dev": {"per_stratum": 0, "sed": 1}}, "dev.sed: unknown key (did you mean 'seed'?) (allowed: per_stratum, seed)"),
        ({"reader": "tsv"}, "reader: expected a mapping of reader options (format, has_header, separator, ...), got a string"),
    ],
)
def test_top_level_mistakes(data, message):
    assert message in errors_of(data)


def test_columns_may_switch_off_optional_roles():
    recipe = Recipe.from_dict({"columns": {"label": None, "domain": None, "text": "sentence"}})
    assert recipe.columns.label is None and recipe.columns.domain is None and recipe.columns.text == "sentence"


def test_domain_routing_needs_a_domain_column():
    errors = errors_of({"columns": {"domain": None}, "stages": [{"filter": "char_length", "domains": ["web"]}]})
    assert errors == ["stages[0].domains: columns.domain is null, so rows have no domain to route on"]


def test_repeated_filters_get_distinct_stage_names():
    recipe = Recipe.from_dict({"stages": [
        {"filter": "char_length", "params": {"min_chars": 1}},
        {"filter": "normalize_whitespace"},
        {"filter": "char_length", "params": {"max_chars": 9}},
        {"filter": "char_length", "name": "final_length"},
    ]})
    assert [s.name for s in recipe.stages] == ["char_length@0", "normalize_whitespace", "char_length@2", "final_length"]


def test_duplicate_explicit_stage_names_are_an_error():
    errors = errors_of({"stages": [{"filter": "reject_empty", "name": "a"}, {"filter": "char_length", "name": "a"}]})
    assert errors == ["stages[1].name: 'a' is already the name of stages[0]"]


# -- building -------------------------------------------------------------------------------------

def test_each_distinct_parameter_set_is_built_once():
    recipe = Recipe.from_dict({"stages": [
        {"filter": "char_length", "params": {"min_chars": 3}, "per_domain": {"web": {"min_chars": 3}, "legal": {"min_chars": 8}}},
        {"filter": "normalize_whitespace"},
        {"filter": "char_length", "params": {"min_chars": 3}},
    ]})
    first, _, last = recipe.stages
    a = first.instance({"min_chars": 3})
    assert a is first.instance({"min_chars": 3}) is last.instance({"min_chars": 3})  # shared across stages
    assert isinstance(a, CharLength) and a.min_chars == 3
    assert first.instance({"min_chars": 8}) is not a
    assert len({id(f) for f in first.instances()}) == 2  # {min_chars: 3}, {min_chars: 8}


class _CountingGlobalCheck(Check):
    """A stateful test filter: global filters never share instances."""

    name = "test_global_counter"
    is_global = True

    def __init__(self, limit: int = 1) -> None:
        self.limit = limit

    def reason_expr(self, col):  # pragma: no cover - not applied here
        raise NotImplementedError


def test_global_filters_get_their_own_instance_per_stage(monkeypatch):
    monkeypatch.setitem(registry._REGISTRY, _CountingGlobalCheck.name, _CountingGlobalCheck)
    recipe = Recipe.from_dict({"stages": [{"filter": "test_global_counter"}, {"filter": "test_global_counter"}]})
    a, b = recipe.stages
    assert a.instance({}) is not b.instance({})


def test_resolved_recipe_has_defaults_and_stage_descriptions(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(FULL_YAML, encoding="utf-8")
    resolved = load_recipe(path).resolved()
    assert resolved["name"] == "ptvid-test"
    assert resolved["source"] == str(path.resolve())
    assert resolved["columns"]["text"] == "sentence"
    assert resolved["dev"] == {"per_stratum": 200, "seed": 0}
    assert resolved["stages"][1] == {
        "index": 1, "name": "char_length", "filter": "char_length", "kind": "check",
        "params": {"min_chars": 10, "max_chars": 900}, "domains": ["social_media", "web"], "skip_domains": None,
        "per_domain": {"social_media": {"min_chars": 3}}, "params_from_columns": {},
    }
    import json

    json.dumps(resolved)  # the run directory stores it as JSON


def test_filters_are_not_instantiated_from_arbitrary_names():
    # a dotted path is just an unknown filter name: nothing is imported
    errors = errors_of({"stages": [{"filter": "os.system"}]})
    assert errors[0].startswith("stages[0].filter: unknown filter 'os.system'.")


def test_whitespace_filter_params_round_trip():
    recipe = Recipe.from_dict({"stages": [{"filter": "normalize_whitespace", "params": {"keep_newlines": False}}]})
    f = recipe.stages[0].instance(recipe.stages[0].params)
    assert isinstance(f, NormalizeWhitespace) and f("a\n b") == "a b"
