"""report.html: self-contained, ordered, spelled out, and hostile corpus text stays text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polars as pl
import pytest
from _framework_fakes import HOSTILE, corpus_frame, fake_module, fake_modules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_sieve.audits.report import figures
from corpus_sieve.pipeline.report import svg
from corpus_sieve.audits.base import CheckResult
from corpus_sieve.audits.findings import Example, Finding
from corpus_sieve.audits.loader import canonicalise
from corpus_sieve.audits.report.html_report import CSP, describe_statistic, highlight, render_html
from corpus_sieve.audits.runner import run_audit


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_page() -> str:
    result = run_audit(canonicalise(corpus_frame(hostile=True)), modules=fake_modules())
    return render_html(result, generated_at="2024-01-01T00:00:00")


def test_no_script_no_event_handlers_no_external_references(hostile_page):
    doc = parse(hostile_page)
    names = [t for t, _ in doc.tags]
    assert names.count("script") == 0
    assert "iframe" not in names and "img" not in names
    for tag, attrs in doc.tags:
        assert not any(k.lower().startswith("on") for k in attrs), (tag, attrs)
        for k in ("src", "action", "srcdoc", "xlink:href"):
            assert k not in attrs, (tag, attrs)
        # the only links are the page's own section anchors
        assert "href" not in attrs or (tag == "a" and re.fullmatch(r"#[a-z]+", attrs["href"])), (tag, attrs)
    assert not re.search(r"(?i)https?://(?!www\.w3\.org/2000/svg)", hostile_page)


def test_hostile_strings_render_as_text(hostile_page):
    text = "".join(parse(hostile_page).text)
    for h in HOSTILE:
        assert h in text, h  # shown verbatim as text...
        assert h not in hostile_page or "<" not in h  # ...and never as raw markup


def test_content_security_policy_forbids_scripts(hostile_page):
    metas = [a for t, a in parse(hostile_page).tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    assert metas[0]["content"] == CSP
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    # the CSP is the first thing in <head> after the charset, before any content
    assert hostile_page.index("Content-Security-Policy") < hostile_page.index("<title>")


def test_verdict_and_counts_come_first(hostile_page):
    body = hostile_page[hostile_page.index("<body>"):]
    assert body.index("FAIL") < body.index('id="findings"')
    assert re.search(r"\d+ errors", body[: body.index('id="findings"')])


def test_findings_are_ordered_by_severity_then_effect(hostile_page):
    sevs = re.findall(r'<details class="finding sev-(\w+)"', hostile_page)
    rank = {"error": 0, "warn": 1, "info": 2}
    assert sevs == sorted(sevs, key=rank.get)
    assert sevs[0] == "error"


def test_each_finding_spells_out_statistic_threshold_rows_advice_and_examples():
    def one(corpus, config):
        return CheckResult(findings=[Finding(
            check="domain_confounding", severity="warn", domain="legal", message="the domain predicts the label",
            statistic={"effect": 0.62, "cramers_v": 0.62, "threshold_cramers_v": 0.3}, rows=12,
            examples=[Example(id="r1", text="Acórdão do Supremo", label="pt-PT", domain="legal")],
            advice="Balance the labels inside legal.",
        )])

    result = run_audit(canonicalise(corpus_frame()), modules={"domain_confounding": fake_module("domain_confounding", one)})
    page = render_html(result)
    text = " ".join("".join(parse(page).text).split())
    assert "Cramér's V = 0.62, above the threshold of 0.3" in text
    assert "12 rows affected (30.0% of the corpus)" in text
    assert "Why it matters" in text and "What to do" in text and "Balance the labels inside legal." in text
    assert "Acórdão do Supremo" in text


def test_statistic_words():
    assert describe_statistic({}) == "No statistic recorded."
    words = describe_statistic({"z": 2.0, "threshold_warn": 4, "threshold_error": 6})
    assert "z-statistic = 2" in words and "warning threshold 4" in words and "error threshold 6" in words
    assert "below the threshold of 0.5" in describe_statistic({"auc": 0.4, "auc_threshold": 0.5})


def test_highlight_escapes_around_the_mark():
    out = highlight('o jornal <b>PÚBLICO</b> "diz"', "público")
    assert out == 'o jornal &lt;b&gt;<mark>PÚBLICO</mark>&lt;/b&gt; &quot;diz&quot;'
    assert highlight("<i>", "<i>") == "<mark>&lt;i&gt;</mark>"


def test_figures_render_from_fake_tables(hostile_page):
    assert hostile_page.count("<svg") >= 4
    for title in ("Labels per domain", "Leakage between splits", "Token shortcuts", "Surface properties by label"):
        assert title in hostile_page


def test_malformed_tables_omit_figures_without_crashing():
    def odd(corpus, config):
        return CheckResult(tables={"counts": "not a table", "x": [1, 2, 3], "y": {"a": None}})

    mods = {cid: fake_module(cid, odd) for cid in ("label_balance", "token_shortcut", "property_shortcut",
                                                   "split_leakage")}
    page = render_html(run_audit(canonicalise(corpus_frame()), modules=mods))
    assert "<svg" not in page and 'id="figures"' not in page


def test_pass_report():
    page = render_html(run_audit(canonicalise(corpus_frame()), modules={}))
    assert "PASS" in page and "No findings." in page


def test_records_accepts_frames_lists_and_dicts():
    df = pl.DataFrame({"a": [1], "b": ["x"]})
    assert figures.records(df) == figures.records([{"a": 1, "b": "x"}]) == figures.records({"a": [1], "b": ["x"]})
    assert figures.records(None) == figures.records("x") == []


def test_many_findings_are_capped(monkeypatch):
    def many(corpus, config):
        return CheckResult(findings=[Finding(check="token_shortcut", severity="info", message=f"t{i}",
                                             feature=f"tok{i}") for i in range(400)])

    page = render_html(run_audit(canonicalise(corpus_frame()), modules={"token_shortcut": fake_module("token_shortcut", many)}))
    assert page.count('class="finding ') == 300
    assert "100 more findings" in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list("<>\"'&=/ :;()aos\\`{}!-[]") + ["script", "onerror", "svg", "img", "style"]),
                min_size=1, max_size=25).map("".join))
def test_any_text_in_any_field_never_becomes_markup(payload):
    def echo(corpus, config):
        return CheckResult(findings=[Finding(
            check="token_shortcut", severity="error", domain=payload, label=payload, split=payload,
            feature=payload, message=payload, advice=payload,
            statistic={"effect": 1.0}, rows=1,
            examples=[Example(id=payload, text=payload, label=payload, domain=payload)],
        )], tables={"tokens": pl.DataFrame({"feature": [payload], "label": [payload], "df": [3], "z": [5.0],
                                             "severity": ["error"]})})

    page = render_html(run_audit(canonicalise(corpus_frame()), modules={"token_shortcut": fake_module("token_shortcut", echo)}))
    doc = parse(page)
    assert [t for t, _ in doc.tags].count("script") == 0
    assert not any(k.lower().startswith("on") for _, attrs in doc.tags for k in attrs)
    assert payload in "".join(doc.text)


def test_svg_helpers_escape_every_label():
    payload = "<script>x</script>"
    parts = [
        svg.heatmap([payload], [payload], [[0.5]], title=payload, row_title=payload, col_title=payload),
        svg.scatter([{"x": 1, "y": 2, "group": payload, "name": payload, "highlight": True}], title=payload,
                    x_label=payload, y_label=payload, hlines=[(1.0, payload)]),
        svg.boxplots([{"name": payload, "group": payload, "min": 0, "q1": 1, "median": 2, "q3": 3, "max": 4}],
                     title=payload, y_label=payload),
    ]
    for part in parts:
        assert "<script>" not in part and "&lt;script&gt;" in part
        assert part.startswith("<svg") and part.endswith("</svg>")


def test_svg_helpers_survive_degenerate_input():
    assert svg.scatter([], title="t", x_label="x", y_label="y").endswith("</svg>")
    assert svg.scatter([{"x": float("nan"), "y": 1}], title="t", x_label="x", y_label="y", log_x=True)
    assert svg.boxplots([], title="t").endswith("</svg>")
    assert svg.heatmap([], [], [], title="t").endswith("</svg>")
    assert svg.heatmap(["a"], ["b"], [[None]], title="t").count("–") >= 1
