"""``report.html`` of a ``sieve clean`` run: what each rule did, on one page a person can read.

Written into every run directory (``sieve clean --no-report`` skips it) from the
files the run wrote (``stats.json``, ``timings.json``, ``examples.json``,
``recipe.json``, ``inputs.json``, ``dev.json``), so it can be rebuilt for any
finished run with :func:`write_run_report`. In order:

* the totals, and first the **label-skew warnings** (a rule that rejects one
  label of a domain more than another manufactures a shortcut) and how the recipe
  was fitted to the input's columns;
* the **funnel**: rows in, each stage's changed or rejected rows, rows kept;
* rejections per stage x domain x label and retention per domain x label (inline SVG);
* where the time went, per stage;
* **per-rule examples**: for a transform the text before and after with the
  removed spans struck through and the added ones marked; for a check the
  rejected text with its reason and detail;
* the recipe as it ran and the input fingerprints.

Every corpus string is escaped (:mod:`corpus_sieve.pipeline.report.html`); the page runs no script.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from corpus_sieve.pipeline.report import svg
from corpus_sieve.pipeline.report.html import diff_html, esc, fmt, page, version

__all__ = ["REPORT_NAME", "FUNNEL_LEGEND", "funnel_rows", "render_run_report", "write_run_report"]

REPORT_NAME = "report.html"
KEPT, REJECTED, CHANGED, UNTOUCHED = "#009E73", "#D55E00", "#E69F00", "#56B4E9"
#: example texts longer than this are cut (examples.json already cuts them at 400 characters)
MAX_EXAMPLE_CHARS = 2000
#: how :func:`corpus_sieve.pipeline.run.examples.cut` marks a text it shortened
CUT_MARK = re.compile(r"… \[\d+ more chars\]$")

EXTRA_CSS = """
.skew{background:#fff4e5;border-left:6px solid var(--warn);padding:10px 16px;border-radius:8px;margin:14px 0}
.notes{background:#eef4fb;border-left:6px solid var(--info);padding:10px 16px;border-radius:8px;margin:14px 0}
.ex{width:100%;font-size:13px;margin:6px 0 14px}.ex td.text{white-space:pre-wrap;word-break:break-word;max-width:460px}
.ex td.id{font-family:ui-monospace,monospace;color:var(--muted);white-space:nowrap}
details.rule{background:#fff;border-radius:10px;margin:10px 0;padding:6px 14px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
details.rule>summary{cursor:pointer;font-weight:600}
pre.recipe{background:#fff;padding:12px;border-radius:8px;overflow-x:auto;font-size:12px}
"""


def write_run_report(run_dir: str | Path) -> Path:
    """Write ``report.html`` into a finished run directory; returns its path."""
    run_dir = Path(run_dir)
    target = run_dir / REPORT_NAME
    tmp = target.with_name(f".{REPORT_NAME}.tmp")
    tmp.write_text(render_run_report(run_dir), encoding="utf-8")
    tmp.replace(target)
    return target


def _read(run_dir: Path, name: str, default: Any = None) -> Any:
    try:
        return json.loads((run_dir / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def render_run_report(run_dir: str | Path) -> str:
    """The report of the finished run in ``run_dir`` as one HTML string."""
    run_dir = Path(run_dir).resolve()  # runs/latest names the run it points at
    stats = _read(run_dir, "stats.json")
    if stats is None:
        raise FileNotFoundError(f"{run_dir} has no readable stats.json (the run did not finish)")
    examples = _read(run_dir, "examples.json", {"stages": []})
    recipe = _read(run_dir, "recipe.json", {})
    inputs = _read(run_dir, "inputs.json", {})
    dev = _read(run_dir, "dev.json")
    manifest = _read(run_dir, "manifest.json", {})
    sections = [
        _header(stats, run_dir, recipe, dev),
        _nav(),
        _warnings(stats),
        _funnel(stats),
        _groups(stats),
        _time(stats),
        _examples(stats, examples),
        _recipe_and_inputs(recipe, inputs, manifest),
    ]
    footer = (f"corpus-sieve {esc(version())} · run {esc(stats.get('run_id', run_dir.name))} · "
              "the same figures are in stats.json, timings.json and examples.json")
    return page(f"corpus-sieve run {stats.get('run_id', run_dir.name)}", "".join(sections), footer, EXTRA_CSS)


# -- sections ------------------------------------------------------------------------------------


def _header(stats: dict, run_dir: Path, recipe: dict, dev: dict | None) -> str:
    totals = stats["totals"]
    n_in, kept, rejected = totals["input"], totals["kept"], totals["rejected"]
    share = kept / n_in if n_in else 0.0
    ok = bool(totals.get("accounted"))
    skewed = stats.get("label_skew", {}).get("flagged", [])
    state = "fail" if not ok else ("warn" if skewed else "pass")
    chips = (f'<span class="chip sev-info">{kept:,} kept</span>'
             f'<span class="chip sev-error">{rejected:,} rejected</span>'
             + (f'<span class="chip sev-warn">{len(skewed)} label-skewed stage{"s" if len(skewed) != 1 else ""}</span>'
                if skewed else ""))
    facts = [f"recipe {recipe.get('name') or '(unnamed)'}", f"{totals.get('seconds', 0):.2f} s",
             "kept + rejected = input: " + ("OK" if ok else "FAILED")]
    dev_line = ""
    if dev:
        drawn = dev.get("drawn") or {}
        how = (f", read from {drawn.get('windows')} windows spread over the input" if drawn.get("method") == "spread windows"
               else "")
        dev_line = (f'<p class="excluded">DEV MODE: a seeded sample of {dev["rows_sampled"]:,} of '
                    f'{dev["rows_read"]:,} rows read{esc(how)} (at most {dev["per_stratum"]:,} per domain × label, '
                    f'seed {dev["seed"]}).</p>')
    return (
        f'<header class="verdict verdict-{state}"><div class="badge">{share:.0%}</div><div>'
        f"<h1>{kept:,} of {n_in:,} rows kept</h1>"
        f'<p class="chips">{chips}</p>'
        f'<p class="facts">Run <code>{esc(run_dir.name)}</code> · {esc(" · ".join(facts))}</p>{dev_line}</div></header>'
    )


def _nav() -> str:
    links = [("funnel", "Funnel"), ("groups", "Domains and labels"), ("time", "Time"), ("examples", "Examples"),
             ("recipe", "Recipe and inputs")]
    return "<nav>" + "".join(f'<a href="#{a}">{n}</a>' for a, n in links) + "</nav>"


def _warnings(stats: dict) -> str:
    parts = []
    skew = stats.get("label_skew", {})
    flagged = skew.get("flagged", [])
    if flagged:
        items = "".join(
            f"<li><strong>{esc(f['stage'])}</strong> in domain <strong>{esc(f['domain'])}</strong>: "
            + esc(", ".join(f"{label} {100 * r:.1f}% of {f['rows_in'][label]:,}" for label, r in f["rejection_rate"].items()))
            + "</li>"
            for f in flagged
        )
        parts.append(
            '<div class="skew"><h2>Label-skewed stages</h2><p>These rules reject one label of a domain more than '
            f'{100 * skew.get("threshold", 0.1):.0f} points more often than another: a rule that drops one label more '
            f"than the other manufactures a shortcut for the classifier.</p><ul>{items}</ul></div>"
        )
    notes = stats.get("notes") or []
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        parts.append(f'<div class="notes"><h2>The recipe was fitted to this input</h2><ul>{items}</ul></div>')
    return "".join(parts)


def funnel_rows(stats: dict) -> list[dict[str, Any]]:
    """The funnel's bars (:func:`corpus_sieve.pipeline.report.svg.hbars`): each stage's rows in, changed or rejected, then kept."""
    rows = []
    for s in stats["stages"]:
        n = s["rows_in"]
        if s["kind"] == "transform":
            changed = s["rows_changed"]
            segments = [(changed, CHANGED, f"{s['stage']}: {changed:,} rows changed"),
                        (n - changed, UNTOUCHED, f"{s['stage']}: {n - changed:,} rows untouched")]
            note = f"{changed:,} changed ({s['chars_removed']:,} chars removed)"
        else:  # a check; one that rewrites the rows it keeps (c4_quality) also changes some
            rej, changed = s["rows_rejected"], s["rows_changed"]
            segments = [(n - rej - changed, UNTOUCHED, f"{s['stage']}: {n - rej - changed:,} rows passed"),
                        *([(changed, CHANGED, f"{s['stage']}: {changed:,} rows passed, changed")] if changed else []),
                        (rej, REJECTED, f"{s['stage']}: {rej:,} rows rejected")]
            note = f"{rej:,} rejected" if rej else "none rejected"
            if changed:
                note += f", {changed:,} changed ({s['chars_removed']:,} chars removed)"
        rows.append({"label": s["stage"], "segments": segments, "note": note})
    kept = stats["totals"]["kept"]
    rows.append({"label": "kept", "segments": [(kept, KEPT, f"{kept:,} rows kept")], "note": f"{kept:,} kept"})
    return rows


FUNNEL_LEGEND = [("untouched / passed", UNTOUCHED), ("changed", CHANGED), ("rejected", REJECTED), ("kept", KEPT)]


def _funnel(stats: dict) -> str:
    table = []
    for s in stats["stages"]:
        n = s["rows_in"]
        reasons = ", ".join(f"{r} {c:,}" for r, c in sorted(s.get("reasons", {}).items(), key=lambda kv: -kv[1]))
        table.append(
            f'<tr><td>{esc(s["stage"])}</td><td>{esc(s["kind"])}</td><td class="num">{n:,}</td>'
            f'<td class="num">{s["rows_changed"] or ""}</td>'
            f'<td class="num">{s["rows_rejected"] or ""}</td><td>{esc(reasons)}</td></tr>'
        )
    chart = svg.hbars(funnel_rows(stats), title="Rows through the stages", legend_items=FUNNEL_LEGEND)
    return (
        '<section id="funnel"><h2>Funnel</h2><figure><figcaption><strong>Rows through the stages.</strong> '
        "Each bar is the rows a stage received; a transform changes some (amber), a check rejects some (red).</figcaption>"
        f"{chart}</figure>"
        '<table class="overview"><thead><tr><th>stage</th><th>kind</th><th class="num">rows in</th>'
        '<th class="num">changed</th><th class="num">rejected</th><th>reasons</th></tr></thead>'
        f'<tbody>{"".join(table)}</tbody></table></section>'
    )


def _group_key(g: dict) -> str:
    return f"{g['domain'] if g['domain'] is not None else '(no domain)'} · {g['label'] if g['label'] is not None else '(no label)'}"


def _groups(stats: dict) -> str:
    retention = stats.get("retention") or []
    if not any(r["domain"] is not None or r["label"] is not None for r in retention):
        return ('<section id="groups"><h2>Domains and labels</h2><p class="muted">The input has no domain or '
                "label column: nothing to break down.</p></section>")
    bars = [{"label": _group_key(r), "segments": [
        (r["kept"], KEPT, f"{_group_key(r)}: {r['kept']:,} kept"),
        (r["input"] - r["kept"], REJECTED, f"{_group_key(r)}: {r['input'] - r['kept']:,} rejected")],
        "note": f"{100 * r['retention']:.1f}% of {r['input']:,} kept"} for r in retention]
    retention_svg = svg.hbars(bars, title="Retention per domain and label",
                              legend_items=[("kept", KEPT), ("rejected", REJECTED)])
    columns = [_group_key(r) for r in retention]
    stages = [s["stage"] for s in stats["stages"] if s["kind"] != "transform" and s["rows_rejected"]]
    cells = {(g["stage"], _group_key(g)): g for g in stats.get("by_group", [])}
    values, text = [], []
    for stage in stages:
        row_v, row_t = [], []
        for col in columns:
            g = cells.get((stage, col))
            if not g or not g["rows_in"]:
                row_v.append(None)
                row_t.append("–")
                continue
            rate = g["rows_rejected"] / g["rows_in"]
            row_v.append(rate)
            row_t.append(f"{g['rows_rejected']:,} ({rate:.0%})")
        values.append(row_v)
        text.append(row_t)
    heat = (svg.heatmap(stages, columns, values, cell_text=text, title="Rejections per stage, domain and label",
                        row_title="stage", col_title="domain · label", vmax=max((v for r in values for v in r if v), default=1.0))
            if stages else '<p class="muted">No stage rejected a row.</p>')
    return (
        '<section id="groups"><h2>Domains and labels</h2>'
        f'<figure><figcaption><strong>Retention.</strong> Rows kept of each domain and label.</figcaption>{retention_svg}</figure>'
        '<figure><figcaption><strong>Rejections.</strong> Rows each check rejected in each domain and label, and their '
        f"share of the rows it received there.</figcaption>{heat}</figure></section>"
    )


def _time(stats: dict) -> str:
    rows = [{"label": s["stage"], "segments": [(s["seconds"], "#0072B2", f"{s['stage']}: {s['seconds']:.3f} s")],
             "note": f"{s['seconds']:.3f} s"} for s in stats["stages"]]
    total = stats["totals"].get("seconds", 0.0)
    return (
        '<section id="time"><h2>Where the time went</h2><figure><figcaption><strong>Seconds per stage</strong> '
        f"(reading included; the run took {total:.2f} s in all, reading and writing overlap the stages).</figcaption>"
        f'{svg.hbars(rows, title="Seconds per stage")}</figure></section>'
    )


def _cut(text: Any) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[:MAX_EXAMPLE_CHARS] + "…"


def _examples(stats: dict, examples: dict) -> str:
    by_index = {s["index"]: s for s in examples.get("stages", [])}
    blocks = []
    for s in stats["stages"]:
        found = by_index.get(s["index"], {}).get("examples") or []
        if not found:
            continue
        changes = [e for e in found if "before" in e]
        rejections = [e for e in found if "before" not in e]
        tables, what = [], []
        if changes:
            tables.append(_change_table(changes))
            what.append(f"{s['rows_changed']:,} rows changed; the ones it changed most")
        if rejections:
            tables.append(_rejection_table(rejections))
            what.append(f"{s['rows_rejected']:,} rows rejected; the first ones of each reason")
        blocks.append(
            f'<details class="rule" open><summary>{esc(s["stage"])} <span class="muted">({esc(s["kind"])}: '
            f'{esc("; ".join(what))})</span></summary>{"".join(tables)}</details>'
        )
    body = "".join(blocks) or '<p class="muted">No stage changed or rejected a row.</p>'
    return f'<section id="examples"><h2>Examples, rule by rule</h2>{body}</section>'


def _change_table(found: list[dict]) -> str:
    rows = []
    for e in found:
        shown_before, shown_after = _cut(e.get("before")), _cut(e.get("after"))
        # examples.json cuts long texts: past the cut of "before", text would look added in "after"
        whole = not any(CUT_MARK.search(t) for t in (shown_before, shown_after))
        before, after = diff_html(shown_before, shown_after, mark_added=whole)
        rows.append(f'<tr><td class="id">{esc(e.get("id"))}</td><td>{esc(e.get("domain"))}<br>{esc(e.get("label"))}</td>'
                    f'<td class="text">{before}</td><td class="text">{after}</td></tr>')
    head = ("<th>id</th><th>domain, label</th><th>before (struck through: removed)</th>"
            "<th>after (marked: added; texts cut for display are compared up to the cut)</th>")
    return f'<table class="ex"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _rejection_table(found: list[dict]) -> str:
    rows = [f'<tr><td class="id">{esc(e.get("id"))}</td><td>{esc(e.get("domain"))}<br>{esc(e.get("label"))}</td>'
            f'<td><strong>{esc(e.get("reason"))}</strong><br>{esc(e.get("detail") or "")}'
            + (f'<br>duplicate of {esc(e["duplicate_of"])}' if e.get("duplicate_of") else "")
            + (f'<br><span class="muted">{esc(_cut(e["duplicate_text"]))}</span>' if e.get("duplicate_text") else "")
            + f'</td><td class="text">{esc(_cut(e.get("text")))}</td></tr>' for e in found]
    head = "<th>id</th><th>domain, label</th><th>reason, detail</th><th>text when rejected</th>"
    return f'<table class="ex"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _recipe_and_inputs(recipe: dict, inputs: dict, manifest: dict) -> str:
    rows = []
    for entry in inputs.get("inputs", []):
        digest = next((v for k, v in entry.items() if k not in ("path", "size", "mtime", "kind", "files", "exists")), "")
        rows.append(f'<tr><td><code>{esc(entry.get("path"))}</code></td><td class="num">{fmt(entry.get("size"))}</td>'
                    f"<td><code>{esc(digest)}</code></td></tr>")
    sampled = inputs.get("sampled_from") or []
    sampled_note = (f'<p class="muted">A dev run: the rows were read from a spread sample of {len(sampled)} input file(s), '
                    "fingerprinted above; the inputs themselves are listed by size and time in inputs.json.</p>"
                    if sampled else "")
    command = " ".join(manifest.get("command") or [])
    return (
        '<section id="recipe"><h2>Recipe and inputs</h2>'
        + (f"<p>Command: <code>{esc(command)}</code></p>" if command else "")
        + '<table class="counts"><caption>Input fingerprints</caption><thead><tr><th>path</th>'
        f'<th class="num">bytes</th><th>content hash</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{sampled_note}'
        f'<details><summary>The recipe as it ran (recipe.json)</summary><pre class="recipe">'
        f"{esc(json.dumps(recipe, indent=2, ensure_ascii=False))}</pre></details></section>"
    )
