"""``sieve runs compare A B --html FILE``: two runs side by side, on one page.

The two funnels and the retention per domain x label with their deltas (B - A),
the difference between the two recipes, and a sample of the rows whose fate
changed, by id (:mod:`corpus_sieve.pipeline.report.fates`): kept in A and rejected in B with
B's reason, the reverse with A's reason, and rows kept by both whose text
differs, with the difference marked. Built with the shared toolkit
(:mod:`corpus_sieve.pipeline.report.html`); every corpus string is escaped.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from corpus_sieve.pipeline.report import svg
from corpus_sieve.pipeline.report.fates import Fates, changed_fates
from corpus_sieve.pipeline.report.html import diff_html, esc, page, version
from corpus_sieve.pipeline.report.run_report import FUNNEL_LEGEND, funnel_rows

__all__ = ["render_compare_html", "write_compare_html"]

EXTRA_CSS = """
.side{display:flex;flex-wrap:wrap;gap:12px}.side figure{flex:1 1 480px}
.diff{background:#fff;padding:10px;border-radius:8px;font:12px ui-monospace,monospace;white-space:pre-wrap;overflow-x:auto}
.diff .add{background:#dff3e4;display:block}.diff .del{background:#fde2e1;display:block}.diff .hunk{color:var(--info);display:block}
.ex{width:100%;font-size:13px;margin:6px 0 14px}.ex td.text{white-space:pre-wrap;word-break:break-word;max-width:460px}
.ex td.id{font-family:ui-monospace,monospace;color:var(--muted);white-space:nowrap}
.pos{color:var(--ok)}.neg{color:var(--err)}
"""


def write_compare_html(a: str | Path, b: str | Path, target: str | Path, sample: int = 30) -> Path:
    """Write the comparison of finished runs ``a`` and ``b`` to ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_compare_html(a, b, sample), encoding="utf-8")
    return target


def _read(run: Path, name: str) -> Any:
    try:
        return json.loads((run / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def render_compare_html(a: str | Path, b: str | Path, sample: int = 30) -> str:
    """The comparison page of runs ``a`` and ``b`` (directories of finished runs)."""
    a, b = Path(a).resolve(), Path(b).resolve()
    sa, sb = _read(a, "stats.json"), _read(b, "stats.json")
    for run, stats in ((a, sa), (b, sb)):
        if not stats:
            raise FileNotFoundError(f"{run} has no readable stats.json (the run did not finish)")
    fates = changed_fates(a, b, sample)
    body = [
        _header(a, b, sa, sb, fates),
        _funnels(sa, sb),
        _retention(sa, sb),
        _recipe_diff(_read(a, "recipe.json"), _read(b, "recipe.json")),
        _fates(fates),
    ]
    footer = f"corpus-sieve {esc(version())} · A = {esc(a.name)} · B = {esc(b.name)}"
    return page(f"corpus-sieve: {a.name} vs {b.name}", "".join(body), footer, EXTRA_CSS)


def _delta(x: float, y: float, percent: bool = False) -> str:
    d = y - x
    cls = "pos" if d > 0 else "neg" if d < 0 else "muted"
    text = f"{100 * d:+.1f} pp" if percent else f"{d:+,}"
    return f'<span class="{cls}">{esc(text)}</span>'


def _header(a: Path, b: Path, sa: dict, sb: dict, fates: Fates) -> str:
    ta, tb = sa["totals"], sb["totals"]
    rows = "".join(
        f'<tr><td>{key}</td><td class="num">{ta[key]:,}</td><td class="num">{tb[key]:,}</td>'
        f'<td class="num">{_delta(ta[key], tb[key])}</td></tr>' for key in ("input", "kept", "rejected"))
    changed = fates.kept_then_rejected + fates.rejected_then_kept
    return (
        '<header class="verdict verdict-' + ("warn" if changed else "pass") + '">'
        f'<div class="badge">{changed:,}</div><div><h1>rows changed fate between A and B</h1>'
        f'<p class="facts">A <code>{esc(a.name)}</code> · B <code>{esc(b.name)}</code></p>'
        f'<p class="chips"><span class="chip sev-error">{fates.kept_then_rejected:,} kept in A, rejected in B</span>'
        f'<span class="chip sev-info">{fates.rejected_then_kept:,} rejected in A, kept in B</span>'
        f'<span class="chip sev-warn">{fates.text_changed:,} kept by both, text differs</span></p>'
        + (f'<p class="excluded">{fates.only_in_a:,} rows only in A, {fates.only_in_b:,} only in B: the runs read '
           "different inputs.</p>" if fates.only_in_a or fates.only_in_b else "")
        + '</div></header><nav><a href="#funnels">Funnels</a><a href="#retention">Retention</a>'
        '<a href="#recipe">Recipe diff</a><a href="#fates">Rows that changed fate</a></nav>'
        '<section><h2>Totals</h2><table class="overview"><thead><tr><th></th><th class="num">A</th>'
        f'<th class="num">B</th><th class="num">B - A</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def _funnels(sa: dict, sb: dict) -> str:
    charts = "".join(
        f"<figure><figcaption><strong>{name}</strong></figcaption>{svg.hbars(funnel_rows(stats), title=f'Funnel of {name}', legend_items=FUNNEL_LEGEND, width=560)}</figure>"
        for name, stats in (("A", sa), ("B", sb)))
    by_a = {s["stage"]: s for s in sa["stages"]}
    by_b = {s["stage"]: s for s in sb["stages"]}
    names = list(dict.fromkeys([s["stage"] for s in sa["stages"]] + [s["stage"] for s in sb["stages"]]))
    rows = []
    for name in names:
        x, y = by_a.get(name), by_b.get(name)

        def moved(s: dict | None) -> int | None:
            if s is None:
                return None
            return s["rows_changed"] if s["kind"] == "transform" else s["rows_rejected"]

        ma, mb = moved(x), moved(y)
        rows.append(
            f'<tr><td>{esc(name)}</td><td>{esc((x or y)["kind"])}</td>'
            f'<td class="num">{"–" if ma is None else f"{ma:,}"}</td><td class="num">{"–" if mb is None else f"{mb:,}"}</td>'
            f'<td class="num">{_delta(ma or 0, mb or 0) if ma is not None and mb is not None else ("added" if ma is None else "removed")}</td></tr>')
    return (
        f'<section id="funnels"><h2>Funnels</h2><div class="side">{charts}</div>'
        '<table class="overview"><thead><tr><th>stage</th><th>kind</th><th class="num">A changed / rejected</th>'
        f'<th class="num">B changed / rejected</th><th class="num">B - A</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _retention(sa: dict, sb: dict) -> str:
    def key(r: dict) -> tuple[str, str]:
        return (str(r["domain"]) if r["domain"] is not None else "(none)", str(r["label"]) if r["label"] is not None else "(none)")

    ra, rb = {key(r): r for r in sa.get("retention", [])}, {key(r): r for r in sb.get("retention", [])}
    rows = []
    for k in sorted(set(ra) | set(rb)):
        x, y = ra.get(k), rb.get(k)
        pa = x["retention"] if x else None
        pb = y["retention"] if y else None
        rows.append(
            f"<tr><td>{esc(k[0])}</td><td>{esc(k[1])}</td>"
            f'<td class="num">{_share(x)}</td><td class="num">{_share(y)}</td>'
            f'<td class="num">{_delta(pa, pb, percent=True) if pa is not None and pb is not None else "–"}</td></tr>')
    return (
        '<section id="retention"><h2>Retention per domain and label</h2><table class="overview"><thead><tr>'
        '<th>domain</th><th>label</th><th class="num">A kept</th><th class="num">B kept</th><th class="num">B - A</th>'
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _share(r: dict | None) -> str:
    return "–" if r is None else f"{100 * r['retention']:.1f}% of {r['input']:,}"


def _recipe_diff(ra: dict, rb: dict) -> str:
    def lines(recipe: dict) -> list[str]:
        shown = {k: v for k, v in recipe.items() if k != "source"}
        return json.dumps(shown, indent=2, ensure_ascii=False, sort_keys=True).splitlines()

    diff = list(difflib.unified_diff(lines(ra), lines(rb), "A recipe.json", "B recipe.json", lineterm="", n=3))
    if not diff:
        return '<section id="recipe"><h2>Recipe diff</h2><p class="good">The two runs used the same recipe.</p></section>'
    out = []
    for line in diff:
        cls = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else "del" if line.startswith("-") else ""
        out.append(f'<span class="{cls}">{esc(line)}</span>' if cls else esc(line) + "\n")
    return f'<section id="recipe"><h2>Recipe diff</h2><div class="diff">{"".join(out)}</div></section>'


def _fates(fates: Fates) -> str:
    def reasons(counts: dict[tuple[str, str], int]) -> str:
        return ", ".join(f"{stage} / {reason} {n:,}" for (stage, reason), n in counts.items()) or "–"

    gone = "".join(
        f'<tr><td class="id">{esc(r["id"])}</td><td><strong>{esc(r["reason"])}</strong> ({esc(r["stage"])})'
        f'<br>{esc(r["detail"] or "")}</td><td class="text">{esc(r["text_a"])}</td></tr>'
        for r in fates.samples.get("kept_then_rejected", []))
    back = "".join(
        f'<tr><td class="id">{esc(r["id"])}</td><td><strong>{esc(r["reason"])}</strong> ({esc(r["stage"])})'
        f'<br>{esc(r["detail"] or "")}</td><td class="text">{esc(r["text_b"])}</td></tr>'
        for r in fates.samples.get("rejected_then_kept", []))
    differ = "".join(
        f'<tr><td class="id">{esc(r["id"])}</td>' + "".join(f'<td class="text">{t}</td>' for t in diff_html(r["text_a"], r["text_b"]))
        + "</tr>" for r in fates.samples.get("text_changed", []))

    def table(title: str, n: int, head: str, rows: str, note: str) -> str:
        if not n:
            return f"<h3>{esc(title)}: none</h3>"
        return (f"<h3>{esc(title)}: {n:,}</h3><p class=\"muted\">{esc(note)}</p>"
                f'<table class="ex"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')

    return (
        '<section id="fates"><h2>Rows that changed fate</h2><p class="muted">Matched by id; a sample of each kind '
        "(the same rows every time).</p>"
        + table("Kept in A, rejected in B", fates.kept_then_rejected, "<th>id</th><th>B's reason</th><th>text in A</th>",
                gone, f"by B's stage / reason: {reasons(fates.newly_rejected_by)}")
        + table("Rejected in A, kept in B", fates.rejected_then_kept, "<th>id</th><th>A's reason</th><th>text in B</th>",
                back, f"by A's stage / reason: {reasons(fates.newly_kept_from)}")
        + table("Kept by both, text differs", fates.text_changed, "<th>id</th><th>text in A</th><th>text in B</th>",
                differ, "struck through: only in A; marked: only in B")
        + "</section>"
    )
