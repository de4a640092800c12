"""Tiny inline-SVG plots for the HTML reports (no matplotlib, no JavaScript).

Every string that reaches the SVG (labels, titles, tooltips) goes through
:func:`corpus_sieve.pipeline.report.html.esc`, because axis labels are corpus data (labels,
domains, tokens). Every function returns one ``<svg>`` element as a string.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from corpus_sieve.pipeline.report.html import esc, fmt

#: categorical colours (colour-blind friendly, Okabe-Ito)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"


def _shorten(text: str, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-label="{esc(title)}" style="max-width:100%;height:auto;{FONT}">'
        f"<title>{esc(title)}</title>"
    )


def _mix(t: float, low: tuple[int, int, int] = (247, 251, 255), high: tuple[int, int, int] = (8, 69, 148)) -> str:
    t = 0.0 if math.isnan(t) else min(max(t, 0.0), 1.0)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    cell_text: Sequence[Sequence[str]] | None = None,
    row_title: str = "",
    col_title: str = "",
    vmax: float | None = None,
) -> str:
    """A matrix of coloured cells: ``values[i][j]`` for row ``rows[i]`` and column ``cols[j]``.

    ``cell_text`` (default: the formatted value) is printed in each cell; empty
    cells (``None``) are hatched grey.

    >>> svg = heatmap(["web"], ["<b>"], [[0.5]], title="t")
    >>> "<b>" in svg, "&lt;b&gt;" in svg
    (False, True)
    """
    cell_w, cell_h = 96, 30
    left = 16 + min(28, max((len(str(r)) for r in rows), default=4)) * 7
    left = max(left, 16 + len(row_title) * 7)  # the row title sits above the row labels
    top = 48 + (14 if col_title else 0)
    width = max(left + cell_w * max(len(cols), 1) + 16, left + len(col_title) * 7 + 16)
    height = top + cell_h * max(len(rows), 1) + 16
    finite = [v for row in values for v in row if v is not None and not math.isnan(v)]
    vmax = vmax if vmax is not None else (max(finite) if finite else 1.0)
    vmax = vmax or 1.0
    out = [_svg_open(width, height, title)]
    if col_title:
        out.append(f'<text x="{left}" y="14" font-size="12" fill="#555">{esc(col_title)}</text>')
    if row_title:
        out.append(f'<text x="4" y="{top - 8}" font-size="12" fill="#555">{esc(row_title)}</text>')
    for j, col in enumerate(cols):
        x = left + j * cell_w + cell_w / 2
        out.append(
            f'<text x="{x:.1f}" y="{top - 8}" font-size="12" text-anchor="middle" font-weight="600">'
            f"<title>{esc(col)}</title>{esc(_shorten(col, 12))}</text>"
        )
    for i, row in enumerate(rows):
        y = top + i * cell_h
        out.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2 + 4:.1f}" font-size="12" text-anchor="end">'
            f"<title>{esc(row)}</title>{esc(_shorten(row, 28))}</text>"
        )
        for j, col in enumerate(cols):
            v = values[i][j] if j < len(values[i]) else None
            x = left + j * cell_w
            empty = v is None or (isinstance(v, float) and math.isnan(v))
            t = 0.0 if empty else float(v) / vmax
            fill = "#eeeeee" if empty else _mix(t)
            ink = "#ffffff" if t > 0.55 else "#1a1a1a"
            label = cell_text[i][j] if cell_text is not None else ("–" if empty else fmt(v))
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}">'
                f"<title>{esc(row)} × {esc(col)}: {esc(label)}</title></rect>"
                f'<text x="{x + (cell_w - 2) / 2:.1f}" y="{y + cell_h / 2 + 3:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{ink}">{esc(label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step) * step
    out, v = [], first
    while v <= hi + step * 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def scatter(
    points: Sequence[dict[str, Any]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    log_x: bool = False,
    hlines: Sequence[tuple[float, str]] = (),
    groups: Sequence[str] | None = None,
    max_labels: int = 12,
) -> str:
    """Points ``{"x", "y", "group", "name", "highlight"}``; highlighted points get their ``name`` printed.

    ``hlines`` draws dashed horizontal reference lines ``(y, caption)`` (e.g. the
    z threshold). Groups are coloured from :data:`PALETTE` with a legend.
    """
    width, height = 860, 420
    left, right, top, bottom = 64, 130, 28, 48
    pw, ph = width - left - right, height - top - bottom
    pts = [p for p in points if _finite(p.get("x")) and _finite(p.get("y")) and (not log_x or p["x"] > 0)]
    groups = list(groups) if groups is not None else sorted({str(p.get("group", "")) for p in pts})
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    xs = [math.log10(p["x"]) if log_x else float(p["x"]) for p in pts] or [0.0, 1.0]
    ys = [float(p["y"]) for p in pts] + [y for y, _ in hlines] or [0.0, 1.0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys + [0.0]), max(ys + [0.0])
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 1, x1 + 1
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 1, y1 + 1
    pad_y = (y1 - y0) * 0.05
    y0, y1 = y0 - pad_y, y1 + pad_y

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + (1 - (v - y0) / (y1 - y0)) * ph

    out = [_svg_open(width, height, title)]
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>')
    if log_x:
        xticks = [float(e) for e in range(math.floor(x0), math.ceil(x1) + 1) if x0 <= e <= x1] or [x0, x1]
    else:
        xticks = _ticks(x0, x1)
    for t in xticks:
        label = fmt(10**t) if log_x else fmt(t)
        out.append(
            f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{top}" y2="{top + ph}" stroke="#e3e3e3"/>'
            f'<text x="{sx(t):.1f}" y="{top + ph + 16}" font-size="11" text-anchor="middle">{esc(label)}</text>'
        )
    for t in _ticks(y0, y1):
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{sy(t) + 4:.1f}" font-size="11" text-anchor="end">{esc(fmt(t))}</text>'
        )
    for y, caption in hlines:
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#b00020" '
            f'stroke-dasharray="5 4"/><text x="{left + pw - 4}" y="{sy(y) - 4:.1f}" font-size="10" '
            f'text-anchor="end" fill="#b00020">{esc(caption)}</text>'
        )
    # plain points first, highlighted ones on top
    for p in sorted(pts, key=lambda p: bool(p.get("highlight"))):
        x = math.log10(p["x"]) if log_x else float(p["x"])
        c = colour.get(str(p.get("group", "")), "#555")
        r, opacity = (4.5, 0.95) if p.get("highlight") else (2.5, 0.45)
        tip = f"{p.get('name', '')} ({p.get('group', '')}): {x_label} {fmt(p['x'])}, {y_label} {fmt(p['y'])}"
        out.append(
            f'<circle cx="{sx(x):.1f}" cy="{sy(float(p["y"])):.1f}" r="{r}" fill="{c}" fill-opacity="{opacity}">'
            f"<title>{esc(tip)}</title></circle>"
        )
    placed: list[tuple[float, float, float, float]] = []
    for p in sorted((p for p in pts if p.get("highlight")), key=lambda p: -abs(float(p["y"]))):
        if len(placed) >= max_labels:
            break
        x = math.log10(p["x"]) if log_x else float(p["x"])
        name = _shorten(p.get("name", ""), 22)
        box = (sx(x) + 6, sy(float(p["y"])) - 14, len(name) * 5.6, 12)
        if any(_overlap(box, other) for other in placed):
            continue  # a label that would collide is left to the tooltip
        placed.append(box)
        out.append(
            f'<text x="{box[0]:.1f}" y="{box[1] + 9:.1f}" font-size="10" fill="#222">{esc(name)}</text>'
        )
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle">'
        f"{esc(x_label)}{' (log scale)' if log_x else ''}</text>"
        f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" font-size="12" '
        f'text-anchor="middle">{esc(y_label)}</text>'
    )
    out.append(_legend(groups, colour, left + pw + 14, top + 6))
    out.append("</svg>")
    return "".join(out)


def boxplots(
    boxes: Sequence[dict[str, Any]],
    *,
    title: str,
    y_label: str = "",
    groups: Sequence[str] | None = None,
    height: int = 300,
    min_width: int = 360,
    legend: bool = True,
) -> str:
    """One box per ``{"name", "group", "min", "q1", "median", "q3", "max"}`` (whiskers = min/max).

    Boxes with the same ``name`` are drawn side by side and coloured by ``group``.
    """
    boxes = [b for b in boxes if all(_finite(b.get(k)) for k in ("q1", "median", "q3"))]
    names = list(dict.fromkeys(str(b.get("name", "")) for b in boxes))
    groups = list(groups) if groups is not None else list(dict.fromkeys(str(b.get("group", "")) for b in boxes))
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    slot = 26
    per_name = max(len(groups), 1) * slot + 24
    left, right, top, bottom = 64, (150 if legend else 12), 24, 44
    width = max(left + right + per_name * max(len(names), 1), min_width)
    height = height
    ph = height - top - bottom
    vals = [float(b[k]) for b in boxes for k in ("min", "q1", "median", "q3", "max") if _finite(b.get(k))] or [0, 1]
    y0, y1 = min(vals), max(vals)
    if y1 - y0 < 1e-12:
        y0, y1 = y0 - 1, y1 + 1

    def sy(v: float) -> float:
        return top + (1 - (v - y0) / (y1 - y0)) * ph

    out = [_svg_open(width, height, title)]
    for t in _ticks(y0, y1):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{sy(t) + 4:.1f}" font-size="11" text-anchor="end">{esc(fmt(t))}</text>'
        )
    for i, name in enumerate(names):
        base = left + i * per_name + 12
        for b in (b for b in boxes if str(b.get("name", "")) == name):
            g = str(b.get("group", ""))
            k = groups.index(g) if g in groups else 0
            x = base + k * slot
            c = colour.get(g, "#555")
            lo = float(b["min"]) if _finite(b.get("min")) else float(b["q1"])
            hi = float(b["max"]) if _finite(b.get("max")) else float(b["q3"])
            tip = (
                f"{name} / {g}: min {fmt(lo)}, q1 {fmt(b['q1'])}, median {fmt(b['median'])}, "
                f"q3 {fmt(b['q3'])}, max {fmt(hi)}"
            )
            out.append(
                f"<g><title>{esc(tip)}</title>"
                f'<line x1="{x + 9}" x2="{x + 9}" y1="{sy(hi):.1f}" y2="{sy(lo):.1f}" stroke="{c}"/>'
                f'<rect x="{x}" y="{sy(float(b["q3"])):.1f}" width="18" '
                f'height="{max(sy(float(b["q1"])) - sy(float(b["q3"])), 1):.1f}" fill="{c}" fill-opacity="0.35" stroke="{c}"/>'
                f'<line x1="{x}" x2="{x + 18}" y1="{sy(float(b["median"])):.1f}" y2="{sy(float(b["median"])):.1f}" '
                f'stroke="{c}" stroke-width="2.5"/></g>'
            )
        out.append(
            f'<text x="{base + max(len(groups), 1) * slot / 2 - 4:.1f}" y="{top + ph + 18}" font-size="11" '
            f'text-anchor="middle"><title>{esc(name)}</title>{esc(_shorten(name, 16))}</text>'
        )
    if y_label:
        out.append(
            f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" font-size="12" '
            f'text-anchor="middle">{esc(y_label)}</text>'
        )
    if legend:
        out.append(_legend(groups, colour, width - right + 14, top + 6))
    out.append("</svg>")
    return "".join(out)


def legend(groups: Sequence[str], *, title: str = "legend") -> str:
    """A standalone legend for figures drawn without their own (small multiples)."""
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    width = 24 + max((min(len(g), 16) for g in groups), default=4) * 7
    return _svg_open(width, 18 * len(groups) + 8, title) + _legend(groups, colour, 4, 16) + "</svg>"


def _legend(groups: Sequence[str], colour: dict[str, str], x: float, y: float) -> str:
    out = []
    for i, g in enumerate(groups[:12]):
        yy = y + i * 18
        out.append(
            f'<rect x="{x}" y="{yy - 9}" width="11" height="11" fill="{colour[g]}"/>'
            f'<text x="{x + 16}" y="{yy + 1}" font-size="11"><title>{esc(g)}</title>{esc(_shorten(g, 16))}</text>'
        )
    return "".join(out)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _finite(v: Any) -> bool:
    try:
        return v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def hbars(
    rows: Sequence[dict[str, Any]],
    *,
    title: str,
    legend_items: Sequence[tuple[str, str]] = (),
    unit: str = "",
    width: int = 760,
) -> str:
    """Horizontal stacked bars, one per ``{"label", "segments": [(value, colour, tooltip), ...], "note"}``.

    Bars share one scale (the largest total); ``note`` is printed right of the
    bar (default: the total and ``unit``). ``legend_items`` are ``(name, colour)``.

    >>> svg = hbars([{"label": "<b>", "segments": [(3, "#000", "x")]}], title="t")
    >>> "<b>" in svg, "&lt;b&gt;" in svg
    (False, True)
    """
    bar_h, gap = 20, 6
    left = 16 + min(30, max((len(str(r["label"])) for r in rows), default=4)) * 7
    right = 250
    top = 8 + (22 if legend_items else 0)
    plot_w = max(width - left - right, 80)
    height = top + (bar_h + gap) * max(len(rows), 1) + 8
    totals = [sum(max(float(v), 0.0) for v, _, _ in r["segments"]) for r in rows]
    scale = plot_w / (max(totals, default=0.0) or 1.0)
    out = [_svg_open(width, height, title)]
    x = left
    for name, colour in legend_items:
        out.append(f'<rect x="{x}" y="6" width="11" height="11" fill="{colour}"/>'
                   f'<text x="{x + 15}" y="16" font-size="11">{esc(name)}</text>')
        x += 30 + len(name) * 7
    for i, (row, total) in enumerate(zip(rows, totals)):
        y = top + i * (bar_h + gap)
        out.append(f'<text x="{left - 8}" y="{y + bar_h / 2 + 4:.1f}" font-size="12" text-anchor="end">'
                   f'<title>{esc(row["label"])}</title>{esc(_shorten(row["label"], 30))}</text>')
        xx = float(left)
        for value, colour, tip in row["segments"]:
            w = max(float(value), 0.0) * scale
            if w <= 0:
                continue
            out.append(f'<rect x="{xx:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" fill="{colour}">'
                       f"<title>{esc(tip)}</title></rect>")
            xx += w
        note = row.get("note") or f"{fmt(total)} {unit}".strip()
        out.append(f'<text x="{xx + 6:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="11" fill="#444">{esc(note)}</text>')
    out.append("</svg>")
    return "".join(out)
