"""report.html of every ``sieve clean`` run, and ``sieve runs compare A B --html``: what each rule did,
on the sample corpus with real recipes; hostile corpus text stays text."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from corpus_sieve.pipeline.cli.main import main
from corpus_sieve.pipeline.report.fates import changed_fates
from corpus_sieve.pipeline.report.html import diff_html

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample_corpus.jsonl"
HOSTILE = [
    "<script>document.title='PWNED'</script> um texto qualquer",
    '"><img src=x onerror="document.title=\'PWNED\'"> outro texto',
    "</style><script>document.title='PWNED'</script> e mais um",
    "<svg onload=\"document.title='PWNED'\"></svg> fim",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The sample cleaned with the ptvid preset (A), with the default preset (B), and a dev run."""
    out = tmp_path_factory.mktemp("runs")
    assert main(["clean", str(SAMPLE), "--recipe", "ptvid", "--out", str(out / "a"), "--quiet"]) == 0
    assert main(["clean", str(SAMPLE), "--out", str(out / "b"), "--quiet"]) == 0
    assert main(["clean", str(SAMPLE), "--recipe", "ptvid", "--out", str(out / "dev"), "--dev", "--quiet"]) == 0
    return {name: (out / name / "latest").resolve() for name in ("a", "b", "dev")}


def test_every_run_writes_its_report_and_dev_runs_too(runs):
    for name in ("a", "b", "dev"):
        assert (runs[name] / "report.html").is_file()
    assert "DEV MODE" in (runs["dev"] / "report.html").read_text(encoding="utf-8")


def test_no_report_skips_it(tmp_path):
    assert main(["clean", str(SAMPLE), "--out", str(tmp_path), "--quiet", "--no-report"]) == 0
    assert not ((tmp_path / "latest") / "report.html").exists()


def test_the_report_shows_the_funnel_plots_time_recipe_and_examples(runs):
    html = (runs["a"] / "report.html").read_text(encoding="utf-8")
    stats = json.loads((runs["a"] / "stats.json").read_text(encoding="utf-8"))
    assert "364 of 396 rows kept" in html
    for section in ('id="funnel"', 'id="groups"', 'id="time"', 'id="examples"', 'id="recipe"'):
        assert section in html
    assert html.count("<svg") >= 4  # funnel, retention, rejections heatmap, time
    for stage in stats["stages"]:
        assert stage["stage"] in html
    # a transform's example: the RT marker it removed is struck through, the text it kept is not
    assert "<del>RT @" in html
    # a check's example: the reason and the text when rejected
    assert "<strong>dot_run</strong>" in html and "<strong>duplicate</strong>" in html
    inputs = json.loads((runs["a"] / "inputs.json").read_text(encoding="utf-8"))["inputs"]
    assert inputs[0]["xxh3_128"] in html  # the input fingerprint
    assert "&quot;token_length&quot;" in html  # the recipe as it ran, escaped


def test_label_skew_and_fitted_columns_come_first(tmp_path):
    corpus = tmp_path / "skew.jsonl"
    rows = [{"text": f"Você viu o jogo {i}? Foi ótimo.", "label": "pt-BR", "domain": "social"} for i in range(30)]
    rows += [{"text": f"Viste o jogo {i}? Foi ótimo.", "label": "pt-PT", "domain": "social"} for i in range(30)]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - filter: regex_reject\n    params: {pattern: 'Você'}\n"
                      "  - filter: normalize_whitespace\n    params_from_columns: {}\n    domains: [social]\n"
                      "  - filter: char_length\n    params: {min_chars: 3}\n    params_from_columns: {max_chars: limit}\n",
                      encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    html = (tmp_path / "runs" / "latest" / "report.html").read_text(encoding="utf-8")
    assert 'class="skew"' in html and "regex_reject" in html
    assert html.index('class="skew"') < html.index('id="funnel"')
    assert html.index('class="notes"') < html.index('id="funnel"') and "no column &#x27;limit&#x27;" in html


def test_hostile_text_is_escaped_everywhere(tmp_path):
    corpus = tmp_path / "hostile.jsonl"
    rows = [{"id": h, "text": h, "label": h, "domain": h} for h in HOSTILE]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - filter: html_to_text\n  - filter: char_length\n    params: {min_chars: 12}\n",
                      encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    html = (tmp_path / "runs" / "latest" / "report.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert not {"script", "img", "iframe"} & set(parser.tags) and parser.handlers == []
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in html


def test_compare_html_and_the_terminal_counts(runs, tmp_path, capsys):
    target = tmp_path / "compare.html"
    assert main(["runs", "compare", str(runs["a"]), str(runs["b"]), "--html", str(target)]) == 0
    printed = capsys.readouterr().out
    fates = changed_fates(runs["a"], runs["b"])
    # the default preset keeps what the founding chain rejects for being short, long, dotted...
    assert fates.rejected_then_kept > 0 and fates.text_changed > 0 and fates.only_in_a == fates.only_in_b == 0
    counts = {line.rsplit(None, 1)[0].strip(): line.rsplit(None, 1)[1] for line in printed.splitlines()
              if line.startswith(("kept in A", "rejected in A", "kept by both"))}
    assert counts == {"kept in A, rejected in B": f"{fates.kept_then_rejected:,}",
                      "rejected in A, kept in B": f"{fates.rejected_then_kept:,}",
                      "kept by both, text differs": f"{fates.text_changed:,}"}
    html = target.read_text(encoding="utf-8")
    assert f"{fates.rejected_then_kept:,} rejected in A, kept in B" in html
    assert 'id="recipe"' in html and "remove_boilerplate" in html and 'class="del"' in html  # the recipe diff
    sample = fates.samples["rejected_then_kept"][0]
    assert sample["id"] in html and sample["reason"] in html
    assert "<del>" in html or "<ins>" in html  # a kept text that differs, with the difference marked


def test_changed_fates_on_a_planted_pair_of_runs(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(
        ["curto", "um texto  comprido o bastante", "outro texto comprido o bastante"])), encoding="utf-8")
    for name, recipe in (("a", "stages:\n  - filter: char_length\n    params: {min_chars: 10}\n"),
                         ("b", "stages:\n  - filter: normalize_whitespace\n  - filter: regex_reject\n"
                               "    params: {pattern: outro}\n")):
        (tmp_path / f"{name}.yaml").write_text(recipe, encoding="utf-8")
        assert main(["clean", str(corpus), "--recipe", str(tmp_path / f"{name}.yaml"), "--out", str(tmp_path / name),
                     "--quiet", "--no-report"]) == 0
    fates = changed_fates(tmp_path / "a" / "latest", tmp_path / "b" / "latest")
    assert (fates.kept_then_rejected, fates.rejected_then_kept, fates.text_changed) == (1, 1, 1)
    assert fates.samples["kept_then_rejected"][0]["id"] == "r2"
    assert fates.newly_rejected_by == {("regex_reject", "regex_match"): 1}
    assert fates.samples["rejected_then_kept"][0]["reason"] == "too_few_chars"
    assert fates.samples["text_changed"][0]["text_b"] == "um texto comprido o bastante"


def test_diff_marks_removed_and_added_spans_and_escapes():
    old, new = diff_html("<b>a</b> x", "<b>a</b> y")
    assert old == "&lt;b&gt;a&lt;/b&gt; <del>x</del>" and new == "&lt;b&gt;a&lt;/b&gt; <ins>y</ins>"
