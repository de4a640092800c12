"""Stage routing: per-domain overrides, domain restriction, per-row parameters, global filters."""

from __future__ import annotations

import polars as pl
import pytest

from corpus_sieve.filters import registry
from corpus_sieve.filters.base import Check, Transform
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.recipe.stages import StageError


class Suffix(Transform):
    """Test transform: append ``suffix`` (per-row Python path)."""

    name = "test_suffix"

    def __init__(self, suffix: str = "!") -> None:
        self.suffix = suffix

    def transform_batch(self, texts: list[str]) -> list[str]:
        return [t + self.suffix for t in texts]


class SeenOnce(Check):
    """Test global check: records every frame it is handed; rejects repeated texts."""

    name = "test_seen_once"
    reasons = ("seen_before",)
    is_global = True
    calls: list[int] = []

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def reset(self) -> None:
        self.seen = {}

    def reasons_frame(self, frame, column="text", id_column=None):
        type(self).calls.append(frame.height)
        reasons, firsts = [], []
        for text, rid in zip(frame[column].to_list(), frame[id_column].to_list()):
            first = self.seen.setdefault(text, rid)
            reasons.append(None if first == rid else "seen_before")
            firsts.append(None if first == rid else first)
        return pl.DataFrame({"reason": reasons, "duplicate_of": firsts}, schema={"reason": pl.String, "duplicate_of": pl.String})


@pytest.fixture
def test_filters(monkeypatch):
    for cls in (Suffix, SeenOnce):
        monkeypatch.setitem(registry._REGISTRY, cls.name, cls)
    SeenOnce.calls = []


FRAME = pl.DataFrame({
    "id": ["a", "b", "c", "d", "e", "f"],
    "text": ["olá mundo", "bom dia a todos", "rt", "boa tarde, Lisboa", "oi", "bom dia a todos"],
    "domain": ["web", "social_media", "social_media", "legal", "web", None],
    "language": ["pt", None, "en", "pt", None, "pt"],
})


def stage_of(stage: dict):
    return Recipe.from_dict({"stages": [stage]}).stages[0]


def test_per_domain_overrides_apply_to_their_domain_only():
    stage = stage_of({"filter": "char_length", "params": {"min_chars": 10}, "per_domain": {"social_media": {"min_chars": 2}}})
    reasons = stage.apply(FRAME, "text", "domain", "id")["reason"].to_list()
    # web "olá mundo" (9 < 10) rejected; social "rt" (2 >= 2) kept; web "oi" rejected
    assert reasons == ["too_few_chars", None, None, None, "too_few_chars", None]


def test_domain_restriction_leaves_other_domains_untouched():
    stage = stage_of({"filter": "char_length", "domains": ["web"], "params": {"min_chars": 10}})
    assert stage.apply(FRAME, "text", "domain", "id")["reason"].to_list() == [
        "too_few_chars", None, None, None, "too_few_chars", None,
    ]
    transform = stage_of({"filter": "regex_replace", "domains": ["social_media", "legal"], "params": {"pattern": "o", "replacement": "0"}})
    assert transform.apply(FRAME, "text", "domain", "id")["text"].to_list() == [
        "olá mundo", "b0m dia a t0d0s", "rt", "b0a tarde, Lisb0a", "oi", "bom dia a todos",
    ]


def test_params_from_columns_with_null_falling_back_to_params(test_filters):
    stage = stage_of({"filter": "test_suffix", "params": {"suffix": "?"}, "params_from_columns": {"suffix": "language"}})
    out = stage.apply(FRAME, "text", "domain", "id")["text"].to_list()
    assert out == ["olá mundopt", "bom dia a todos?", "rten", "boa tarde, Lisboapt", "oi?", "bom dia a todospt"]
    assert {f.suffix for f in stage.instances()} == {"pt", "en", "?"}


def test_per_domain_and_params_from_columns_combine(test_filters):
    stage = stage_of({
        "filter": "test_suffix", "domains": ["web", "social_media"],
        "per_domain": {"social_media": {"suffix": "#"}}, "params_from_columns": {"suffix": "language"},
    })
    out = stage.apply(FRAME, "text", "domain", "id")["text"].to_list()
    # the column wins over the domain override; a null column value falls back to the override / params
    assert out == ["olá mundopt", "bom dia a todos#", "rten", "boa tarde, Lisboa", "oi!", "bom dia a todos"]


def test_a_bad_per_row_parameter_is_a_clear_error(test_filters):
    stage = stage_of({"filter": "remove_hashtags", "params_from_columns": {"mode": "language"}})
    with pytest.raises(StageError, match=r"stages\[0\] \(remove_hashtags\): cannot build the filter for rows with language='pt': mode must be"):
        stage.apply(FRAME, "text", "domain", "id")


def test_an_unrouted_global_stage_sees_the_whole_batch_once(test_filters):
    stage = stage_of({"filter": "test_seen_once"})
    out = stage.apply(FRAME, "text", "domain", "id")
    assert SeenOnce.calls == [6]
    assert out["reason"].to_list() == [None, None, None, None, None, "seen_before"]
    assert out["duplicate_of"].to_list() == [None, None, None, None, None, "b"]


def test_routed_check_extra_columns_are_scattered_back_in_row_order(test_filters):
    stage = stage_of({"filter": "test_seen_once", "domains": ["social_media", "web"]})
    frame = FRAME.with_columns(pl.Series("domain", ["web", "social_media", "web", "legal", "web", "social_media"]))
    out = stage.apply(frame, "text", "domain", "id")
    assert sorted(SeenOnce.calls) == [2, 3]  # one call per domain group
    assert out["reason"].to_list() == [None, None, None, None, None, "seen_before"]
    assert out["duplicate_of"].to_list() == [None, None, None, None, None, "b"]


def test_stage_reset_clears_global_state(test_filters):
    stage = stage_of({"filter": "test_seen_once"})
    stage.apply(FRAME, "text", "domain", "id")
    assert stage.apply(FRAME.head(1), "text", "domain", "id")["reason"].to_list() == [None]  # same id: not a dup of itself
    stage.apply(FRAME.slice(1, 1).with_columns(pl.lit("z").alias("id")), "text", "domain", "id")
    stage.reset()
    again = stage.apply(FRAME.slice(1, 1).with_columns(pl.lit("z").alias("id")), "text", "domain", "id")
    assert again["reason"].to_list() == [None]


def test_missing_routing_columns_fall_back_with_notes_naming_their_recipe_location():
    stage = stage_of({"filter": "char_length", "params": {"min_chars": 6}, "domains": ["web"],
                      "params_from_columns": {"min_chars": "limit"}})
    notes = stage.fit_input(["text", "dom", "limit"], "dom")
    assert notes == [] and stage.routed
    frame = pl.DataFrame({"text": ["curto", "curto", "curto"], "dom": ["web", "web", "news"], "limit": [3, None, 3]})
    assert stage.apply(frame, "text", "dom")["reason"].to_list() == [None, "too_few_chars", None]
    notes = stage.fit_input(["text"], "dom")
    assert notes == [
        "stages[0] (char_length): the input has no column 'limit', so params_from_columns.min_chars falls back to "
        "6 from params for every row",
        "stages[0] (char_length): the input has no domain column 'dom'; it runs only on domains ['web'], "
        "so it changes no row",
    ]
    assert stage.apply(frame.select("text"), "text", "dom")["reason"].to_list() == [None, None, None]
    skip = stage_of({"filter": "char_length", "params": {"min_chars": 6}, "skip_domains": ["web"],
                     "params_from_columns": {"min_chars": "limit"}})
    skip.fit_input(["text"], "dom")
    assert skip.apply(frame.select("text"), "text", "dom")["reason"].to_list() == ["too_few_chars"] * 3


def test_real_tweets_routed_to_the_social_media_override(shared_data):
    # two real ToLD-Br tweets (shared data) next to a real DSLCC news sentence
    tweets = pl.read_csv(shared_data / "social" / "told-br.csv", n_rows=200)["text"]
    short = next(t for t in tweets.to_list() if 5 <= len(t) < 30)
    news = (shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")[0]
    frame = pl.DataFrame({"id": ["t", "n"], "text": [short, news], "domain": ["social_media", "journalistic"]})
    stage = stage_of({"filter": "char_length", "params": {"min_chars": 40}, "per_domain": {"social_media": {"min_chars": 5}}})
    assert stage.apply(frame, "text", "domain", "id")["reason"].to_list() == [None, None]
    strict = stage_of({"filter": "char_length", "params": {"min_chars": 40}})
    assert strict.apply(frame, "text", "domain", "id")["reason"].to_list() == ["too_few_chars", None]


def test_skip_domains_leaves_those_rows_untouched():
    import polars as pl

    from corpus_sieve.pipeline.recipe.recipe import Recipe

    recipe = Recipe.from_dict({"stages": [{"filter": "normalize_whitespace", "skip_domains": ["web"]}]})
    frame = pl.DataFrame({"text": ["a   b", "a   b"], "domain": ["web", "news"]})
    out = recipe.stages[0].apply(frame, "text", "domain")
    assert out["text"].to_list() == ["a   b", "a b"]


def test_domains_and_skip_domains_together_is_an_error():
    import pytest

    from corpus_sieve.pipeline.recipe.recipe import Recipe, RecipeError

    with pytest.raises(RecipeError, match="either domains"):
        Recipe.from_dict({"stages": [{"filter": "normalize_whitespace", "domains": ["a"], "skip_domains": ["b"]}]})
