"""``report.html``: one self-contained page a person reads before training.

Verdict and counts first, then the findings (errors first, then by effect
size), each with its statistic and threshold in words, the rows it affects,
why it matters, what to do and example rows; then the figures (inline SVG).

Corpus text, labels, domains, tokens and ids are untrusted: every one goes
through :func:`corpus_sieve.pipeline.report.html.esc` and the page (the shared shell of
:mod:`corpus_sieve.pipeline.report.html`) carries a Content-Security-Policy that forbids
scripts, so hostile text renders as text. No JavaScript is used
(``<details>`` collapses findings natively).
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Any

from corpus_sieve.audits.report import figures
from corpus_sieve.audits.findings import Finding
from corpus_sieve.pipeline.report.html import CSP, esc, fmt, highlight, page, version

if TYPE_CHECKING:
    from corpus_sieve.audits.runner import AuditResult

__all__ = ["CSP", "render_html", "describe_statistic", "stat_name", "highlight"]
#: at most this many findings are rendered in full (the rest are in audit.json)
MAX_FINDINGS = 300
SEVERITY_WORD = {"error": "Error", "warn": "Warning", "info": "Note"}
VERDICT_WORD = {
    "pass": "PASS — no warnings or errors",
    "warn": "WARN — problems worth a look before training",
    "fail": "FAIL — fix the errors before training",
}

CHECK_TITLES = {
    "label_balance": "Label balance",
    "domain_confounding": "Domain and source confounding",
    "token_shortcut": "Token shortcuts",
    "property_shortcut": "Surface-property shortcuts",
    "text_free_baseline": "Text-free baseline",
    "duplicates": "Duplicates",
    "conflicting_labels": "Conflicting labels",
    "split_leakage": "Split leakage",
    "rule_retention": "Cleaning-rule retention per label",
    "label_issues": "Label errors (confident learning)",
}

#: check id -> (why it matters, what to do by default)
CHECK_ADVICE = {
    "label_balance": (
        "A model learns the label prior of each domain; a label missing from a domain or split means "
        "that domain can never be evaluated fairly and its domain alone predicts the label.",
        "Collect or resample so that every domain and split has every label; report metrics per domain.",
    ),
    "domain_confounding": (
        "When the domain or the source predicts the label, a model can learn where a text comes from "
        "instead of what it says.",
        "Balance the labels within each domain and source, and hold out whole sources for evaluation.",
    ),
    "token_shortcut": (
        "A token that predicts a label far beyond its prior — a newspaper's name, a URL, markup, a "
        "boilerplate phrase — is a shortcut the model learns instead of the language.",
        "Remove or mask non-lexical shortcuts with a cleaning rule; add genuine variety markers to the "
        "recipe's audit allow-list.",
    ),
    "property_shortcut": (
        "Length, punctuation, casing, markup residue or encoding that differ between labels let a model "
        "classify without reading.",
        "Normalise the property with a cleaning rule (fix Unicode, strip markup, bound lengths) or "
        "rebalance so it no longer separates the labels.",
    ),
    "text_free_baseline": (
        "A classifier that never sees a word should score at chance; if it does better, labels are "
        "predictable from surface properties and domain alone — the Clever Hans alarm.",
        "Fix the property and domain findings, then re-run until this baseline is near chance.",
    ),
    "duplicates": (
        "Duplicates over-weight some texts in training and inflate evaluation scores.",
        "Enable exact deduplication in the cleaning recipe, before splitting.",
    ),
    "conflicting_labels": (
        "The same (or nearly the same) text with different labels is label noise, or a sign that labels "
        "came from the source rather than the text.",
        "Inspect the groups below; drop them or correct the labels.",
    ),
    "split_leakage": (
        "Evaluation rows that (nearly) appear in train measure memorisation, not generalisation.",
        "Deduplicate across splits before splitting, or split by source or document group.",
    ),
    "rule_retention": (
        "A cleaning rule that drops one label more than another shifts the balance and can create the "
        "very shortcut the audit looks for.",
        "Look at the rule's rejected rows in the run directory; loosen it or apply it evenly.",
    ),
    "label_issues": (
        "A wrong label teaches the model the wrong answer and makes the evaluation score a lie; labels "
        "taken from a text's source mislabel the texts that source quotes or copies.",
        "Check the flagged rows (suggested_label in flags.parquet); relabel or drop the wrong ones.",
    ),
}

STAT_NAMES = {
    "effect": "effect size",
    "z": "z-statistic",
    "p": "p-value",
    "p_value": "p-value",
    "q": "q-value",
    "q_value": "q-value (BH)",
    "chi2": "chi-square",
    "cramers_v": "Cramér's V",
    "theils_u": "Theil's U",
    "auc": "AUC",
    "npmi": "nPMI",
    "imbalance_ratio": "imbalance ratio",
    "entropy": "normalised entropy",
    "normalised_entropy": "normalised entropy",
    "balanced_accuracy": "balanced accuracy",
    "chance": "chance level",
    "jaccard": "Jaccard similarity",
    "n_needed": "rows needed to detect it",
    "doc_freq": "document frequency",
    "df": "document frequency",
    "count": "count",
    "share": "share",
    "retention": "retention",
    "p_hat": "share with the label (p̂)",
    "prior": "label prior",
    "p_bh": "Benjamini–Hochberg p",
    "p_bonferroni": "Bonferroni p",
    "n": "documents with it",
    "k": "of them with the label",
    "tests": "tests in the family",
    "min_count": "minimum count",
    "min_effect": "minimum effect",
    "bh_q": "BH false-discovery rate",
    "bonferroni_alpha": "Bonferroni alpha",
    "n_labels": "labels",
    "dof": "degrees of freedom",
}


def render_html(result: AuditResult, *, generated_at: str | None = None) -> str:
    """The whole report as one HTML string."""
    generated_at = generated_at or _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    summary = result.corpus_summary()
    counts = result.counts()
    verdict = result.verdict
    title = f"corpus-sieve audit: {verdict.upper()}"
    figures_html = _figures_section(result)
    links = [("readiness", "Readiness"), ("actions", "Actions"), ("findings", "Findings")] + ([("figures", "Figures")] if figures_html else [])
    links += [("corpus", "Corpus"), ("settings", "Thresholds")]
    nav = "<nav>" + "".join(f'<a href="#{anchor}">{name}</a>' for anchor, name in links) + "</nav>"
    body = [
        _header(result, summary, counts, verdict, generated_at),
        nav,
        _readiness_section(result),
        _actions_section(result),
        _overview(result),
        _findings_section(result, summary["rows"]),
        figures_html,
        _corpus_section(summary),
        _settings_section(result),
    ]
    footer = (f"corpus-sieve {esc(version())} · generated {esc(generated_at)} · "
              "the same findings are in audit.json, per-row flags in flags.parquet")
    return page(title, "".join(body), footer)


# -- sections -----------------------------------------------------------------------------


def _header(result: AuditResult, summary: dict, counts: dict, verdict: str, generated_at: str) -> str:
    source = summary.get("run_dir") or summary.get("input") or "in-memory corpus"
    chips = "".join(
        f'<span class="chip sev-{s}">{counts[s]:,} {esc(SEVERITY_WORD[s].lower())}{"s" if counts[s] != 1 else ""}</span>'
        for s in ("error", "warn", "info")
    )
    facts = [
        f"{summary['rows']:,} rows",
        f"{len(summary['labels'])} labels",
        f"{len(summary['domains'])} domain{'s' if len(summary['domains']) != 1 else ''}"
        + ("" if summary.get("has_domain", True) else " (no domain column)"),
    ]
    if summary.get("splits"):
        facts.append(f"splits: {', '.join(summary['splits'])}")
    excluded = summary.get("excluded") or {}
    warn_excluded = ""
    if excluded:
        lost = ", ".join(f"{n:,} {reason}" for reason, n in excluded.items())
        warn_excluded = f'<p class="excluded">Rows left out of the audit: {esc(lost)}.</p>'
    return (
        f'<header class="verdict verdict-{esc(verdict)}">'
        f'<div class="badge">{esc(verdict.upper())}</div><div>'
        f"<h1>{esc(VERDICT_WORD.get(verdict, verdict))}</h1>"
        f'<p class="chips">{chips}</p>'
        f'<p class="facts">Audit of <code>{esc(source)}</code> · {esc(" · ".join(facts))}</p>'
        f"{warn_excluded}</div></header>"
    )


_BAND_MEANING = {"A": "fit for the question: no shortcut, confounding or leakage found",
                 "B": "faithful: duplicates and labels under control, but something lets a model answer without the meaning",
                 "C": "accessible: it loads and reads cleanly, but duplicates or labels are not under control",
                 None: "not accessible: too many rows could not be read"}


def _readiness_section(result: AuditResult) -> str:
    """The readiness band first: how far the corpus is from being fit to train on, and why."""
    from corpus_sieve.audits.readiness import readiness

    ready = readiness(result)
    band = ready["band"]
    rows = "".join(f"<tr><td>{esc(d)}</td><td><strong>{esc(b or 'none')}</strong></td></tr>"
                   for d, b in ready["by_domain"].items())
    by_domain = (f'<table class="overview"><thead><tr><th>domain</th><th>band</th></tr></thead><tbody>{rows}</tbody></table>'
                 if len(ready["by_domain"]) > 1 else "")
    reasons = "".join(
        f"<li>below <strong>{esc(r['band'])}</strong>: "
        + (f"<code>{esc(r['check'])}</code> {esc(r.get('severity', ''))}" + (f" in {esc(r['domain'])}" if r["domain"] else "") + ": "
           if r["check"] else "")
        + f"{esc(r['message'])}</li>" for r in ready["reasons"][:12])
    more = len(ready["reasons"]) - 12
    return (
        f'<section id="readiness"><h2>Readiness: band {esc(band or "none")}</h2>'
        f"<p>{esc(_BAND_MEANING[band])}. Bands: C accessible, B faithful, A fit for the question "
        "(<code>sieve audit --fail-below B</code> gates on it).</p>"
        f"{by_domain}" + (f"<ul>{reasons}</ul>" if reasons else "")
        + (f'<p class="muted">and {more} more in audit.json</p>' if more > 0 else "") + "</section>"
    )


def _actions_section(result: AuditResult, top: int = 10) -> str:
    """What to do first: the warnings and errors as actions ranked by impact; label vocabulary apart."""
    from corpus_sieve.audits.actions import actions

    ranked = actions(result)
    if not ranked["actions"] and not ranked["vocabulary"]:
        return ""
    rows = "".join(
        f'<tr><td class="num">{a["rank"]}</td><td><span class="dot sev-{esc(a["severity"])}"></span>{esc(a["title"])}'
        f'<br><span class="muted">{esc(a["fix"] or "")}</span></td><td>{esc(a["kind"])}</td>'
        f'<td class="num">{a["rows"]:,}</td><td class="num">{esc(fmt(a["impact"]))}</td></tr>'
        for a in ranked["actions"][:top])
    table = (f'<table class="overview"><thead><tr><th class="num">#</th><th>action</th><th>kind</th>'
             f'<th class="num">rows</th><th class="num">impact</th></tr></thead><tbody>{rows}</tbody></table>'
             if rows else '<p class="good">Nothing to fix.</p>')
    more = len(ranked["actions"]) - top
    words = ranked["vocabulary"]
    vocab = ("<p><strong>Label vocabulary</strong> (words that are what the labels mean; no action): "
             + ", ".join(f"<code>{esc(v['feature'])}</code> ({esc(v['label'] or '')}, {esc(v['domain'] or '')})"
                         for v in words[:15])
             + (f" and {len(words) - 15} more" if len(words) > 15 else "") + ".</p>") if words else ""
    return ('<section id="actions"><h2>What to do first</h2><p>Warnings and errors as actions, ranked by '
            "expected impact on a trained model: severity weight × effect × rows affected.</p>"
            f"{table}" + (f'<p class="muted">and {more} more in audit.json (actions)</p>' if more > 0 else "")
            + f"{vocab}</section>")


def _overview(result: AuditResult) -> str:
    rows = []
    for check_id in result.checks_run:
        found = result.by_check(check_id)
        per = {s: sum(f.severity == s for f in found) for s in ("error", "warn", "info")}
        worst = next((s for s in ("error", "warn", "info") if per[s]), "ok")
        cells = "".join(f'<td class="num">{per[s] or ""}</td>' for s in ("error", "warn", "info"))
        rows.append(
            f'<tr><td><span class="dot sev-{worst}"></span>'
            f"{esc(CHECK_TITLES.get(check_id, check_id))} <code>{esc(check_id)}</code></td>{cells}"
            f'<td class="num">{esc(fmt(result.timings.get(check_id)))} s</td></tr>'
        )
    if not rows:
        return '<section><h2>Checks</h2><p>No checks were run.</p></section>'
    return (
        '<section id="checks"><h2>Checks</h2><table class="overview"><thead><tr><th>check</th>'
        '<th class="num">errors</th><th class="num">warnings</th><th class="num">notes</th>'
        f'<th class="num">time</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _findings_section(result: AuditResult, total_rows: int) -> str:
    findings = result.findings
    if not findings:
        return '<section id="findings"><h2>Findings</h2><p class="good">No findings.</p></section>'
    shown = findings[:MAX_FINDINGS]
    parts = [f'<section id="findings"><h2>Findings <span class="muted">({len(findings):,})</span></h2>']
    parts.extend(_finding(f, i, total_rows, result.thresholds.get(f.check)) for i, f in enumerate(shown, 1))
    if len(findings) > len(shown):
        parts.append(
            f'<p class="muted">{len(findings) - len(shown):,} more findings (all notes or lower effect) '
            "are listed in audit.json.</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _finding(f: Finding, index: int, total_rows: int, settings: dict[str, Any] | None = None) -> str:
    where = [
        ("domain", f.domain),
        ("label", f.label),
        ("split", f.split),
        ("feature", f.feature),
    ]
    tags = "".join(
        f'<span class="tag"><span class="k">{k}</span> {esc(v)}</span>' for k, v in where if v is not None
    )
    why, todo = CHECK_ADVICE.get(f.check, ("", ""))
    share = f" ({f.rows / total_rows:.1%} of the corpus)" if total_rows and f.rows else ""
    rows_line = f"{f.rows:,} row{'s' if f.rows != 1 else ''} affected{share}." if f.rows else "No specific rows."
    body = [
        f'<p class="statline">{describe_statistic(f.statistic, settings)}</p>',
        f'<p class="rowsline">{esc(rows_line)}</p>',
        '<dl class="advice">',
        f"<dt>Why it matters</dt><dd>{esc(why)}</dd>" if why else "",
        f"<dt>What to do</dt><dd>{esc(f.advice or todo)}</dd>" if (f.advice or todo) else "",
        "</dl>",
        _statistic_table(f.statistic),
        _examples(f),
    ]
    is_open = " open" if f.severity == "error" or (f.severity == "warn" and index <= 25) else ""
    return (
        f'<details class="finding sev-{esc(f.severity)}"{is_open}>'
        f'<summary><span class="sev sev-{esc(f.severity)}">{esc(SEVERITY_WORD[f.severity])}</span> '
        f'<span class="check">{esc(CHECK_TITLES.get(f.check, f.check))}</span> '
        f'<span class="msg">{esc(f.message)}</span></summary>'
        f'<div class="fbody"><p class="tags">{tags}</p>{"".join(body)}</div></details>'
    )


def stat_name(key: str) -> str:
    """Human name of a statistic key (``cramers_v`` -> ``Cramér's V``)."""
    return STAT_NAMES.get(key, key.replace("_", " "))


def _threshold_base(key: str) -> str | None:
    if key.startswith("threshold_"):
        return key[len("threshold_"):]
    if key.endswith("_threshold"):
        return key[: -len("_threshold")]
    if key == "threshold":
        return ""
    return None


#: measured statistics shown in the finding's sentence; the rest are in its "All statistics" table
HEADLINE_STATS = 6


def describe_statistic(statistic: dict[str, Any], settings: dict[str, Any] | None = None) -> str:
    """The statistic and its thresholds in words (HTML-escaped).

    ``settings`` are the check's thresholds as used: statistic keys named like
    one of them are reported as thresholds, not as measurements.

    >>> describe_statistic({"effect": 0.62, "cramers_v": 0.62, "threshold_cramers_v": 0.3, "p_value": 1e-9})
    'Measured: effect size = 0.62; Cramér&#x27;s V = 0.62, above the threshold of 0.3; p-value = 1e-09.'
    >>> describe_statistic({"z": 5.1, "min_count": 20}, {"min_count": 20})
    'Measured: z-statistic = 5.1. Thresholds: minimum count 20.'
    """
    settings = settings or {}
    thresholds = {k: v for k, v in statistic.items() if _threshold_base(k) is not None or k in settings}
    values = {k: v for k, v in statistic.items() if k not in thresholds}
    paired: set[str] = set()
    phrases = []
    for key, value in list(values.items())[:HEADLINE_STATS]:
        phrase = f"{stat_name(key)} = {fmt(value)}"
        thr_key = next((t for t in thresholds if _threshold_base(t) == key), None)
        if thr_key is not None:
            paired.add(thr_key)
            phrase += _compare(value, thresholds[thr_key])
        phrases.append(phrase)
    generic = []
    for key, thr in thresholds.items():
        if key in paired:
            continue
        base = _threshold_base(key)
        level, _, rest = (base or "").partition("_")
        level_word = {"warn": "warning", "warning": "warning", "error": "error", "info": "info"}.get(level)
        if level_word and not rest:
            generic.append(f"{level_word} threshold {fmt(thr)}")
        elif level_word:
            generic.append(f"{level_word} threshold for {stat_name(rest)} {fmt(thr)}")
        elif base == "":
            generic.append(f"threshold {fmt(thr)}")
        elif base is None:
            generic.append(f"{stat_name(key)} {fmt(thr)}")
        else:
            generic.append(f"threshold for {stat_name(base)} {fmt(thr)}")
    text = ""
    if phrases:
        text = "Measured: " + "; ".join(phrases) + "."
    if generic:
        text += (" " if text else "") + "Thresholds: " + ", ".join(generic) + "."
    return esc(text or "No statistic recorded.")


def _compare(value: Any, threshold: Any) -> str:
    try:
        v, t = float(value), float(threshold)
    except (TypeError, ValueError):
        return f" (threshold {fmt(threshold)})"
    if math.isnan(v) or math.isnan(t):
        return f" (threshold {fmt(threshold)})"
    if v > t:
        return f", above the threshold of {fmt(threshold)}"
    if v < t:
        return f", below the threshold of {fmt(threshold)}"
    return f", at the threshold of {fmt(threshold)}"


def _statistic_table(statistic: dict[str, Any]) -> str:
    if not statistic:
        return ""
    cells = "".join(
        f'<tr><th scope="row">{esc(stat_name(k))} <code>{esc(k)}</code></th><td class="num">{esc(fmt(v))}</td></tr>'
        for k, v in statistic.items()
    )
    return f'<details class="stats"><summary>All statistics</summary><table class="kv">{cells}</table></details>'


def _examples(f: Finding) -> str:
    if not f.examples:
        return ""
    rows = "".join(
        f'<tr><td class="id">{esc(e.id)}</td><td>{esc(e.label if e.label is not None else "")}</td>'
        f'<td>{esc(e.domain if e.domain is not None else "")}</td>'
        f'<td class="text">{highlight(e.text, f.feature if f.check == "token_shortcut" else None)}</td></tr>'
        for e in f.examples
    )
    return (
        '<table class="examples"><caption>Example rows</caption><thead><tr><th>id</th><th>label</th>'
        f"<th>domain</th><th>text</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _figures_section(result: AuditResult) -> str:
    rendered = []
    for title, caption, svg in figures.all_figures(result):
        rendered.append(
            f'<figure><figcaption><strong>{esc(title)}</strong> {esc(caption)}</figcaption>{svg}</figure>'
        )
    if not rendered:
        return ""
    return f'<section id="figures"><h2>Figures</h2>{"".join(rendered)}</section>'


def _corpus_section(summary: dict) -> str:
    def table(title: str, counts: dict[str, int]) -> str:
        if not counts:
            return ""
        total = sum(counts.values()) or 1
        rows = "".join(
            f'<tr><td>{esc(k)}</td><td class="num">{n:,}</td><td class="num">{n / total:.1%}</td></tr>'
            for k, n in counts.items()
        )
        return (
            f'<table class="counts"><caption>{esc(title)}</caption><thead><tr><th>value</th>'
            f'<th class="num">rows</th><th class="num">share</th></tr></thead><tbody>{rows}</tbody></table>'
        )

    return (
        '<section id="corpus"><h2>Corpus</h2><div class="tables">'
        f"{table('Labels', summary['labels'])}{table('Domains', summary['domains'])}"
        f"{table('Splits', summary.get('splits') or {})}</div></section>"
    )


def _settings_section(result: AuditResult) -> str:
    blocks = []
    for check_id, params in result.thresholds.items():
        overridden = result.config.thresholds.get(check_id, {})
        cells = "".join(
            f'<tr><td><code>{esc(k)}</code></td><td class="num">{esc(fmt(v) if isinstance(v, (int, float)) else v)}'
            f'{" <em>(recipe)</em>" if k in overridden else ""}</td></tr>'
            for k, v in params.items()
        )
        blocks.append(
            f'<table class="kv"><caption><code>{esc(check_id)}</code></caption>{cells or "<tr><td>none</td></tr>"}</table>'
        )
    allow = ", ".join(sorted(result.config.allow_list))
    return (
        '<section id="settings"><details><summary><h2>Thresholds and settings</h2></summary>'
        f'<p>Seed {result.config.seed}. Allow-list: {esc(allow) if allow else "empty"}.</p>'
        f'<div class="tables">{"".join(blocks)}</div></details></section>'
    )
