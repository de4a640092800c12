"""Hostile text and hostile recipes: bounded time, escaped output, recipes as data.

* HTML from untrusted pages: 100k nested ``<div>``s, billion-laughs entity
  definitions, external entities, entity floods, megabyte attributes and
  unclosed comments go through ``html_to_text`` and ``remove_boilerplate``
  in a forked child with a hard time limit (a hang fails the test instead of
  hanging the suite).
* ReDoS: a catastrophic pattern that needs the Python ``regex`` fallback
  (backreference / look-around) stops at its timeout with a message naming
  the pattern; the same shape in the Rust engine is linear.
* Corpus text is escaped in the audit report of a real ``sieve clean`` run.
* Recipes are data: YAML tags that build Python objects are refused, filter
  names are looked up in the registry, never imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus_sieve.pipeline.recipe.recipe import Recipe, RecipeError, load_recipe
from reliability_helpers import within

LIMIT = 10.0  # seconds for one hostile document; a linear-time parser needs well under 1


def _html_to_text(html: str) -> int:
    from corpus_sieve.filters import HtmlToText

    return len(HtmlToText()(html))


def _boilerplate(html: str) -> int:
    from corpus_sieve.filters import RemoveBoilerplate

    return len(RemoveBoilerplate()(html))


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><html><body><p>&lol9;</p></body></html>'
)
HOSTILE = {
    "nested_div_100k": "<div>" * 100_000 + "olá mundo" + "</div>" * 100_000,
    "unclosed_nesting_100k": "<div><span>" * 50_000 + "texto",
    "nested_tables_20k": "<table><tr><td>" * 20_000 + "x",
    "billion_laughs": LAUGHS,
    "external_entity": '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p>a&xxe;b</p>',
    "entity_flood": "<p>" + "&amp;&lt;&#x1F600;&eacute;&#0;&#xD800;" * 150_000 + "</p>",
    "attribute_5mb": '<div title="' + "x" * 5_000_000 + '">a</div>',
    "unclosed_comment_3mb": "<!--" + "a" * 3_000_000,
    "script_4mb": "<script>" + "var a=1;" * 500_000 + "</script><p>texto real aqui</p>",
    "deep_inline_100k": "<b><i>" * 100_000,
    "null_bytes": "<p>a\x00b\x00</p>" * 1_000,
}


@pytest.mark.parametrize("fn", [_html_to_text, _boilerplate], ids=["html_to_text", "remove_boilerplate"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_html_finishes_in_bounded_time(fn, name):
    status, value, elapsed = within(LIMIT, fn, HOSTILE[name])
    assert status == "ok", f"{name}: {status} {value} after {elapsed:.1f}s"
    if name == "billion_laughs":
        assert value < 1_000  # entities are not expanded (no 10^9 'lol')


def test_external_entities_are_never_resolved():
    from corpus_sieve.filters import HtmlToText, RemoveBoilerplate

    for f in (HtmlToText(), RemoveBoilerplate()):
        out = f(HOSTILE["external_entity"])
        assert "root:" not in out


def test_boilerplate_is_not_quadratic_in_paragraphs():
    page = "".join(f"<p>Este é o parágrafo número {i} do documento, com texto.</p>" for i in range(3_000))
    status, _, elapsed = within(2.0, _boilerplate, page)
    assert status == "ok", f"3,000 paragraphs (190 KB) took over 2 s ({status})"


# -- ReDoS -------------------------------------------------------------------------------------------------------

CATASTROPHIC = [r"^(a|a)+\1$", r"(a|aa)+(?=b)", r"^(a+)+(?<!a)$(?<=!)|^(a|a)+\1$"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
@pytest.mark.parametrize("filter_name", ["regex_reject", "regex_replace"])
def test_catastrophic_fallback_regex_stops_at_its_timeout(filter_name, pattern):
    from corpus_sieve.filters.registry import available_filters
    from corpus_sieve.filters.safe_regex import RegexTimeoutError

    f = available_filters()[filter_name](pattern=pattern, timeout=0.2)
    t0 = time.perf_counter()
    with pytest.raises(RegexTimeoutError, match="took more than 0.2s on one row"):
        f("a" * 40 + "!")
    assert time.perf_counter() - t0 < 5


def test_the_same_shape_runs_in_linear_time_in_the_rust_engine():
    from corpus_sieve.filters import RegexReject

    f = RegexReject(pattern=r"(a+)+$", timeout=0.2)
    t0 = time.perf_counter()
    assert f.reason("a" * 200_000 + "!") is None  # the text ends in "!", so no run of a's reaches $
    assert f.reason("b" + "a" * 200_000) == "regex_match"
    assert time.perf_counter() - t0 < 2


def test_redos_in_a_recipe_stops_the_run_quickly_with_a_clear_message(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"text": "Bom dia a todos."}) + "\n" + json.dumps({"text": "a" * 40 + "!"}) + "\n",
                      encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - filter: regex_reject\n    params: {pattern: '^(a|a)+\\1$', timeout: 0.2}\n",
                      encoding="utf-8")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", str(corpus), "--recipe", str(recipe),
                          "--out", str(tmp_path / "runs"), "--quiet"], capture_output=True, text=True, timeout=60)
    assert time.perf_counter() - t0 < 30
    assert out.returncode == 2
    assert "regex '^(a|a)+\\\\1$' took more than 0.2s on one row" in out.stderr
    assert "Traceback" not in out.stderr


def test_invalid_user_regexes_are_rejected_before_reading(tmp_path):
    with pytest.raises(RecipeError, match=r"stages\[0\] \(regex_reject\)"):
        Recipe.from_dict({"stages": [{"filter": "regex_reject", "params": {"pattern": "(unclosed"}}]})


# -- recipes are data ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['echo pwned > {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
])
def test_yaml_tags_that_build_objects_are_refused(tmp_path, payload):
    marker = tmp_path / "pwned"
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"name: {payload.format(marker=marker)}\nstages: []\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="cannot parse"):
        load_recipe(recipe)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["os.system", "subprocess:Popen", "corpus_sieve.pipeline.engines.local.run_pipeline",
                                  "__import__('os').system('x')", "corpus_sieve.filters.base.Check", "../../etc/passwd"])
def test_filter_names_are_registry_keys_never_imports(name):
    with pytest.raises(RecipeError, match=r"unknown filter"):
        Recipe.from_dict({"stages": [{"filter": name}]})


def test_recipe_values_are_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    with pytest.raises(RecipeError):
        Recipe.from_dict({"stages": [{"filter": "char_length", "params": {"min_chars": code}}]})
    Recipe.from_dict({"stages": [{"filter": "regex_replace", "params": {"pattern": "x", "replacement": code}}]})
    assert not marker.exists()


# -- escaping: corpus text shown in the audit report of a real run ----------------------------------------------

XSS = [
    '<script>alert("xss")</script> o autocarro chegou',
    '<img src=x onerror=alert(1)> o ônibus chegou',
    '"><svg onload=alert(2)> bom dia pessoal',
    "javascript:alert(3) você viu isso",
]


def test_corpus_text_is_escaped_in_the_report_of_a_real_run(tmp_path):
    rows = []
    for i in range(60):
        label = "pt-PT" if i % 2 else "pt-BR"
        rows.append({"id": f"t{i}", "label": label, "domain": "social_media",
                     "text": f"{XSS[i % len(XSS)]} número {i} " + ("autocarro" if label == "pt-PT" else "ônibus")})
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - filter: normalize_whitespace\n", encoding="utf-8")
    clean = subprocess.run([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", str(corpus), "--recipe", str(recipe),
                            "--out", str(tmp_path / "runs"), "--quiet"], capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr
    audit = subprocess.run([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "audit", str(tmp_path / "runs" / "latest"),
                            "--out", str(tmp_path / "audit")], capture_output=True, text=True, timeout=300)
    assert audit.returncode in (0, 1), audit.stderr
    page = (tmp_path / "audit" / "report.html").read_text(encoding="utf-8")
    for raw in ("<script>alert", "<img src=x", "<svg onload"):  # as markup; escaped text is fine
        assert raw not in page
    assert "&lt;script&gt;" in page or "&lt;img" in page or "&lt;svg" in page
    # examples.json (read by people and tools) keeps the text as JSON data, unchanged
    examples = json.loads((tmp_path / "runs" / "latest" / "examples.json").read_text(encoding="utf-8"))
    assert isinstance(examples["stages"], list)
