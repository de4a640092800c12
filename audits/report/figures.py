"""Turn the checks' tables into the report's figures.

Each figure reads one check's ``CheckResult.tables`` defensively: a table that
is missing or shaped differently than expected means the figure is omitted,
never that the report fails. Tables may be polars DataFrames, lists of dicts
or dicts of lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from corpus_sieve.pipeline.report import svg
from corpus_sieve.pipeline.report.html import fmt

if TYPE_CHECKING:
    from corpus_sieve.audits.runner import AuditResult

Figure = tuple[str, str, str]  # (title, caption, svg markup)

MAX_SCATTER_POINTS = 4000
MAX_PROPERTIES = 8


def all_figures(result: AuditResult) -> list[Figure]:
    """Every figure whose table exists, in report order."""
    out: list[Figure] = []
    for build in (label_heatmap, leakage_matrix, token_scatter, property_boxes):
        try:
            out.extend(build(result.tables))
        except Exception:  # noqa: BLE001 - a figure must never break the report
            continue
    return out


# -- table access -------------------------------------------------------------------------


def records(table: Any) -> list[dict[str, Any]]:
    """A table as a list of row dicts (DataFrame, list of dicts or dict of equal-length lists).

    >>> records({"a": [1, 2], "b": ["x", "y"]})
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}]
    """
    if table is None:
        return []
    if hasattr(table, "to_dicts"):
        return list(table.to_dicts())
    if isinstance(table, list):
        return [r for r in table if isinstance(r, dict)]
    if isinstance(table, dict) and table and all(isinstance(v, list) for v in table.values()):
        n = min(len(v) for v in table.values())
        return [{k: v[i] for k, v in table.items()} for i in range(n)]
    return []


def pick(row: dict[str, Any], *names: str) -> str | None:
    """The first of ``names`` that is a key of ``row``."""
    return next((n for n in names if n in row), None)


def find_table(tables: dict[str, Any], preferred: tuple[str, ...], test: Callable[[dict], bool]) -> list[dict]:
    """Rows of the first table (preferred names first) whose first row passes ``test``."""
    names = [n for n in preferred if n in tables] + [n for n in tables if n not in preferred]
    for name in names:
        rows = records(tables.get(name))
        if rows and test(rows[0]):
            return rows
    return []


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


# -- figures ------------------------------------------------------------------------------

COUNT_KEYS = ("count", "n", "rows", "len", "n_rows")


def label_heatmap(tables: dict[str, dict[str, Any]]) -> Iterator[Figure]:
    """Domain × label: share of each label within its domain, counts in the cells."""
    rows = find_table(
        tables.get("label_balance", {}),
        ("counts", "balance", "label_counts"),
        lambda r: "domain" in r and "label" in r and pick(r, *COUNT_KEYS) is not None,
    )
    if not rows:
        return
    key = pick(rows[0], *COUNT_KEYS)
    counts: dict[tuple[str, str], float] = {}
    for r in rows:
        if r.get("domain") is None or r.get("label") is None:
            continue  # pooled rows (domain = null) are not a cell
        n = _num(r.get(key)) or 0.0
        k = (str(r["domain"]), str(r["label"]))
        counts[k] = counts.get(k, 0.0) + n
    domains = sorted({d for d, _ in counts})
    labels = sorted({lab for _, lab in counts})
    if not domains or not labels:
        return
    values, text = [], []
    for d in domains:
        total = sum(counts.get((d, lab), 0.0) for lab in labels) or 1.0
        values.append([counts.get((d, lab), 0.0) / total for lab in labels])
        text.append([f"{counts.get((d, lab), 0.0) / total:.0%} ({fmt(counts.get((d, lab), 0))})" for lab in labels])
    yield (
        "Labels per domain",
        "Share of each label within its domain (row count in brackets); an empty or dark cell means one "
        "label dominates the domain.",
        svg.heatmap(domains, labels, values, cell_text=text, title="Label share per domain",
                    row_title="domain", col_title="label", vmax=1.0),
    )


def leakage_matrix(tables: dict[str, dict[str, Any]]) -> Iterator[Figure]:
    """Evaluation split × train split: rows with an exact or near duplicate across them."""
    rows = find_table(
        tables.get("split_leakage", {}),
        ("matrix", "leakage", "pairs"),
        lambda r: pick(r, "split", "eval_split", "from_split", "split_a", "query_split") is not None
        and pick(r, "other_split", "train_split", "to_split", "split_b", "reference_split") is not None,
    )
    if not rows:
        return
    a_key = pick(rows[0], "split", "eval_split", "from_split", "split_a", "query_split")
    b_key = pick(rows[0], "other_split", "train_split", "to_split", "split_b", "reference_split")
    n_key = pick(rows[0], "leaked", "rows", "count", "n", "leaked_rows", "exact", "near")
    if n_key is None:
        return
    cells: dict[tuple[str, str], float] = {}
    share_of: dict[str, float] = {}
    for r in rows:
        a, b = str(r.get(a_key)), str(r.get(b_key))
        cells[(a, b)] = cells.get((a, b), 0.0) + (_num(r.get(n_key)) or 0.0)
        total = _num(r.get("total") or r.get("rows_in_split") or r.get("split_rows"))
        if total:
            share_of[a] = total
    a_vals = sorted({a for a, _ in cells})
    b_vals = sorted({b for _, b in cells})
    values = [[cells.get((a, b)) for b in b_vals] for a in a_vals]
    text = [
        [
            "–" if cells.get((a, b)) is None
            else fmt(cells[(a, b)]) + (f" ({cells[(a, b)] / share_of[a]:.1%})" if share_of.get(a) else "")
            for b in b_vals
        ]
        for a in a_vals
    ]
    yield (
        "Leakage between splits",
        "Rows of the split on the left whose exact or near duplicate is in the split on top.",
        svg.heatmap(a_vals, b_vals, values, cell_text=text, title="Leaked rows by split",
                    row_title="rows of split", col_title="duplicated in split"),
    )


def token_scatter(tables: dict[str, dict[str, Any]]) -> Iterator[Figure]:
    """z-statistic against document frequency for every tested token, flagged ones labelled.

    With labels, only the side a feature predicts (z > 0) is drawn, coloured by
    that label: with two labels the other side is the mirror image.
    """
    check_tables = tables.get("token_shortcut", {})
    z_names, f_names = ("z", "z_score", "zscore"), ("df", "doc_freq", "document_frequency", "n", "count", "docs")
    raw = check_tables.get("tokens")
    if hasattr(raw, "filter") and hasattr(raw, "columns"):
        raw = _reduce_tokens(raw, z_names)
        check_tables = {**check_tables, "tokens": raw}
    rows = find_table(
        check_tables,
        ("tokens", "features", "scores", "table"),
        lambda r: pick(r, *z_names) is not None and pick(r, *f_names) is not None,
    )
    if not rows:
        return
    z_key = pick(rows[0], *z_names)
    f_key = pick(rows[0], *f_names)
    name_key = pick(rows[0], "feature", "token", "ngram", "term")
    group_key = pick(rows[0], "label")
    flag_key = pick(rows[0], "severity", "flagged", "significant", "level")
    domain_key = pick(rows[0], "domain")
    many_domains = domain_key is not None and len({r.get(domain_key) for r in rows}) > 1

    points = []
    for r in rows:
        z = _num(r.get(z_key))
        if z is None or (group_key and z <= 0):
            continue
        flag = r.get(flag_key) if flag_key else None
        highlight = flag in ("warn", "error", True)
        name = str(r.get(name_key, "")) if name_key else ""
        if many_domains and r.get(domain_key) is not None:
            name = f"{name} ({r.get(domain_key)})"
        points.append({
            "x": _num(r.get(f_key)),
            "y": z,
            "group": str(r.get(group_key)) if group_key else "",
            "name": name,
            "highlight": highlight,
        })
    points = [p for p in points if p["x"] is not None]
    if not points:
        return
    if len(points) > MAX_SCATTER_POINTS:
        flagged = [p for p in points if p["highlight"]]
        rest = sorted((p for p in points if not p["highlight"]), key=lambda p: -abs(p["y"]))
        points = flagged + rest[: max(MAX_SCATTER_POINTS - len(flagged), 0)]
    hlines = []
    z_thr = _z_threshold(check_tables)
    if z_thr:
        hlines = [(z_thr, f"z = {fmt(z_thr)}")]
    log_x = min(p["x"] for p in points) > 0
    yield (
        "Token shortcuts",
        "Each point is a word or word pair"
        + (" in one domain" if many_domains else "")
        + ": how many documents contain it (across) against how strongly its presence predicts the label "
        "of its colour (z, up). Large points are flagged warnings or errors; the strongest are named.",
        svg.scatter(points, title="Token z-statistic against document frequency", x_label="documents containing it",
                    y_label="z toward the label", log_x=log_x, hlines=hlines),
    )


def _reduce_tokens(frame: Any, z_names: tuple[str, ...]) -> Any:
    """At most :data:`MAX_SCATTER_POINTS` rows of a (possibly huge) polars token table: flagged first."""
    import polars as pl

    z = next((n for n in z_names if n in frame.columns), None)
    if z is None:
        return frame
    if "label" in frame.columns:
        frame = frame.filter(pl.col(z) > 0)
    flagged = (
        pl.col("severity").is_in(["warn", "error"]).fill_null(False) if "severity" in frame.columns else pl.lit(False)
    )
    return frame.sort(flagged, pl.col(z).abs(), descending=[True, True], nulls_last=True).head(MAX_SCATTER_POINTS)


def _z_threshold(tables: dict[str, Any]) -> float | None:
    for key in ("z_threshold", "z_error", "z_warn", "threshold_z"):
        v = tables.get(key)
        if _num(v):
            return float(v)
    return None


QUANTILE_KEYS = {
    "min": ("min", "q0", "p0", "q00", "q05", "p05"),
    "q1": ("q1", "q25", "p25", "q_25"),
    "median": ("median", "q50", "p50", "q_50"),
    "q3": ("q3", "q75", "p75", "q_75"),
    "max": ("max", "q100", "p100", "q95", "p95"),
}


def property_boxes(tables: dict[str, dict[str, Any]]) -> Iterator[Figure]:
    """Box plots by label of the properties that separate the labels most, each in its strongest domain."""
    check_tables = tables.get("property_shortcut", {})
    rows = find_table(
        check_tables,
        ("property_quantiles", "quantiles", "distributions", "properties"),
        lambda r: pick(r, "property", "feature") is not None
        and "label" in r
        and pick(r, *QUANTILE_KEYS["median"]) is not None,
    )
    if not rows:
        return
    prop_key = pick(rows[0], "property", "feature")
    keys = {k: pick(rows[0], *alts) for k, alts in QUANTILE_KEYS.items()}
    domain_key = pick(rows[0], "domain")
    labels = sorted({str(r["label"]) for r in rows})

    def where(r: dict) -> tuple[str, str | None]:
        return str(r[prop_key]), (str(r[domain_key]) if domain_key and r.get(domain_key) is not None else None)

    available = {where(r) for r in rows}
    chosen = [pd for pd in _strongest_properties(check_tables) if pd in available or (pd[0], None) in available]
    if not chosen:  # no test table: the first properties as they come
        chosen = list(dict.fromkeys(where(r) for r in rows))
    seen_props: set[str] = set()
    whiskers = "5th–95th percentiles" if keys["min"] in ("q05", "p05") else "extremes"
    panels = []
    for prop, domain in chosen:
        if prop in seen_props or len(seen_props) >= MAX_PROPERTIES:
            continue
        if (prop, domain) not in available:
            domain = None
        boxes = [
            {"name": prop, "group": str(r["label"]),
             **{k: _num(r.get(v)) if v else None for k, v in keys.items()}}
            for r in rows
            if where(r) == (prop, domain)
        ]
        if not boxes:
            continue
        seen_props.add(prop)
        in_domain = f" ({domain})" if domain else ""
        panels.append(
            '<div class="panel">'
            + svg.boxplots(boxes, title=f"{prop}{in_domain}", y_label=f"{prop}{in_domain}", groups=labels,
                           height=220, min_width=150, legend=False)
            + "</div>"
        )
    if not panels:
        return
    yield (
        "Surface properties by label",
        f"The properties that separate the labels most, each in the domain where it does (in brackets). "
        f"Box = quartiles, line = median, whiskers = {whiskers}.",
        '<div class="panels">' + "".join(panels) + '<div class="panel">' + svg.legend(labels) + "</div></div>",
    )


def _strongest_properties(tables: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(property, domain) pairs from the test table, flagged first, then by effect size."""
    rows = find_table(tables, ("property_tests", "effects", "tests"),
                      lambda r: pick(r, "property", "feature") is not None
                      and pick(r, "effect", "abs_effect", "gini") is not None)
    scored = []
    for r in rows:
        effect = _num(r.get(pick(r, "effect", "abs_effect", "gini"))) or 0.0
        flagged = r.get("severity") in ("warn", "error")
        domain = r.get("domain")
        scored.append((not flagged, -abs(effect), str(r[pick(r, "property", "feature")]),
                       None if domain is None else str(domain)))
    return [(prop, domain) for _, _, prop, domain in sorted(scored, key=lambda t: t[:3])]
