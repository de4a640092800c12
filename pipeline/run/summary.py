"""The plain-text summary ``sieve clean`` prints at the end of a run."""

from __future__ import annotations

from typing import Any


def _n(value: int | None) -> str:
    return "-" if not value else f"{value:,}"


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  " + "  ".join(out).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _size(nbytes: int) -> str:
    """``16.0 MiB``, ``20.0 GiB``."""
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"


def _top_reasons(reasons: dict[str, int], k: int = 3) -> str:
    items = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{r} {n:,}" for r, n in items[:k])
    if len(items) > k:
        shown += f", +{len(items) - k} more"
    return shown or "-"


def format_summary(stats: dict[str, Any], run_path: str, dev_info: dict[str, Any] | None = None) -> str:
    """The end-of-run report: stages, totals, retention, label-skewed stages, accounting."""
    totals = stats["totals"]
    lines = [f"run {stats['run_id']}"]
    if dev_info:
        lines.append(
            f"DEV MODE: a seeded sample of {dev_info['rows_sampled']:,} of {dev_info['rows_read']:,} rows read "
            f"(at most {dev_info['per_stratum']:,} per domain x label, seed {dev_info['seed']})"
        )
        drawn = dev_info.get("drawn") or {}
        if drawn.get("method") == "spread windows":
            lines.append(
                f"          read: {drawn['windows']} windows spread over {drawn['files_sampled']:,} of "
                f"{drawn['files']:,} file(s), {_size(drawn['bytes_read'])} of {_size(drawn['input_bytes'])} "
                f"(the windows are in {drawn['sample_dir']})"
            )
        elif drawn.get("method"):
            lines.append(f"          read: the {drawn['method']}")
    notes = stats.get("notes") or []
    if notes:
        lines += ["", "the recipe was fitted to this input's columns:"]
        lines += [f"  - {note}" for note in notes]
    lines.append("")
    stage_rows = []
    for s in stats["stages"]:
        changed = _n(s["rows_changed"]) if s["kind"] == "transform" or s["rows_changed"] else ""
        stage_rows.append([
            s["stage"], s["kind"], f"{s['rows_in']:,}", changed,
            _n(s["rows_rejected"]) if s["kind"] != "transform" else "",
            _top_reasons(s["reasons"]) if s["kind"] != "transform" else (f"{s['chars_removed']:,} chars" if s["rows_changed"] else ""),
            f"{s['seconds']:.2f}",
        ])
    lines += _table(["stage", "kind", "rows in", "changed", "rejected", "top reasons / chars removed", "seconds"], stage_rows, {2, 3, 4, 6})

    n_in, n_kept, n_rej = totals["input"], totals["kept"], totals["rejected"]
    pct = f"{100 * n_kept / n_in:.1f}%" if n_in else "-"
    rate = f", {n_in / totals['seconds']:,.0f} rows/s" if totals["seconds"] > 0 else ""
    lines += ["", f"totals: input {n_in:,}, kept {n_kept:,} ({pct}), rejected {n_rej:,}; {totals['seconds']:.2f}s{rate}"]

    grouped = any(r["domain"] is not None or r["label"] is not None for r in stats["retention"])
    if grouped:
        lines += ["", "retention by domain x label (kept / input):"]
        lines += _table(
            ["domain", "label", "input", "kept", "retention"],
            [[str(r["domain"]), str(r["label"]), f"{r['input']:,}", f"{r['kept']:,}", f"{100 * r['retention']:.1f}%"]
             for r in stats["retention"]],
            {2, 3, 4},
        )

    skew = stats.get("label_skew", {})
    flagged = skew.get("flagged", [])
    threshold = 100 * skew.get("threshold", 0.1)
    lines.append("")
    if flagged:
        lines.append(f"WARNING: label-skewed stages (rejection rates of labels in a domain differ by more than {threshold:.0f} points;")
        lines.append("         a rule that drops one label more than another manufactures a shortcut):")
        for f in flagged:
            rates = ", ".join(f"{label} {100 * r:.1f}% of {f['rows_in'][label]:,}" for label, r in f["rejection_rate"].items())
            lines.append(f"  {f['stage']} in domain {f['domain']}: {rates}")
    elif not grouped:
        lines.append("label skew: not measured (the input has no label or domain column)")
    else:
        lines.append(f"label skew: no stage rejects one label of a domain more than {threshold:.0f} points more often than another")

    lines.append("")
    if totals["accounted"]:
        lines.append(f"kept + rejected = input: OK ({n_kept:,} + {n_rej:,} = {n_in:,})")
    else:
        lines.append(f"kept + rejected = input: FAILED ({n_kept:,} + {n_rej:,} != {n_in:,})")
    lines.append(f"run directory: {run_path}")
    return "\n".join(lines)
