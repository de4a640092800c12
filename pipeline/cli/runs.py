"""``sieve runs``: list run directories and compare two runs side by side.

``sieve runs list [--base runs]`` prints one line per run; ``sieve runs
compare A B`` prints totals, rejections per stage and reason, and retention
per domain x label of two runs, with deltas (B - A). ``A``/``B`` are run
directories, run ids (or unique prefixes) under ``--base``, or ``latest``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from corpus_sieve.pipeline.run.rundir import RunDir, list_runs, resolve_run

NONE = "(none)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="runs_command", metavar="ACTION")
    p_list = sub.add_parser("list", help="one line per run: id, start time, input rows, kept, rejected")
    p_list.add_argument("--base", default="runs", help="directory holding the runs (default: runs)")
    p_cmp = sub.add_parser("compare", help="two runs side by side, with deltas (B - A)")
    p_cmp.add_argument("a", help="run A: a run directory, a run id under --base, or 'latest'")
    p_cmp.add_argument("b", help="run B")
    p_cmp.add_argument("--base", default="runs", help="directory holding the runs (default: runs)")
    p_cmp.add_argument("--changed", action="store_true", help="only rows whose counts differ")
    p_cmp.add_argument("--html", type=Path, metavar="FILE",
                       help="also write the comparison as one HTML page: funnels, retention, the recipe diff and "
                            "a sample of the rows whose fate changed")


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    try:
        if args.runs_command == "list":
            out.write(render_list(Path(args.base)))
            return 0
        if args.runs_command == "compare":
            a = resolve_run(args.a, args.base)
            b = resolve_run(args.b, args.base)
            out.write(render_compare(a, b, only_changed=args.changed))
            if args.html is not None:
                from corpus_sieve.pipeline.report.compare_report import write_compare_html

                out.write(f"\nhtml: {write_compare_html(a.path, b.path, args.html)}\n")
            return 0
    except (FileNotFoundError, ValueError) as e:
        print(f"sieve runs: {e}", file=sys.stderr)
        return 1
    print("usage: sieve runs {list,compare} ... (see sieve runs --help)", file=sys.stderr)
    return 2


# --------------------------------------------------------------------------
# tables


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool] | None = None) -> str:
    """A plain aligned text table; ``right[i]`` right-aligns column ``i`` (numbers)."""
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    right = list(right) if right is not None else [False] * len(header)

    def line(r: list[str]) -> str:
        return "  ".join(c.rjust(w) if right[i] else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])]) + "\n"


def _n(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return f"{v:,}"


def _delta(a: Any, b: Any, pct: bool = False) -> str:
    if a is None or b is None:
        return "-"
    d = b - a
    if pct:
        return f"{d * 100:+.2f} pp"
    if isinstance(d, float):
        return f"{d:+,.2f}"
    return f"{d:+,}" if d else "0"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.2f}%"


def _load_stats(run: RunDir) -> dict | None:
    if not run.stats_path.is_file():
        return None
    try:
        return run.read_json("stats.json")
    except (OSError, json.JSONDecodeError):
        return None


def _started(run: RunDir) -> str:
    try:
        return str(run.read_json("manifest.json").get("started_at", "?"))
    except (OSError, json.JSONDecodeError):
        return "?"


def render_list(base: Path) -> str:
    runs = list_runs(base)
    if not runs:
        return f"no runs in {base}\n"
    try:
        latest = RunDir.open(base / "latest")
    except FileNotFoundError:
        latest = None
    rows = []
    for r in runs:
        stats = _load_stats(r)
        totals = (stats or {}).get("totals", {})
        status = "" if stats else "(no stats.json: running or failed)"
        rows.append([
            ("* " if r == latest else "  ") + r.id,
            _started(r),
            _n(totals.get("input")),
            _n(totals.get("kept")),
            _n(totals.get("rejected")),
            status,
        ])
    return table(["run", "started", "input", "kept", "rejected", "status"], rows, [False, False, True, True, True, False])


def _require_stats(run: RunDir) -> dict:
    stats = _load_stats(run)
    if stats is None:
        raise FileNotFoundError(f"{run.path} has no readable stats.json (the run did not finish)")
    return stats


def _same(a: RunDir, b: RunDir, name: str) -> str:
    try:
        return "same" if a.read_json(name) == b.read_json(name) else "different"
    except (OSError, json.JSONDecodeError):
        return "unknown"


def render_compare(a: RunDir, b: RunDir, only_changed: bool = False) -> str:
    sa, sb = _require_stats(a), _require_stats(b)
    parts = [
        f"A: {a.id}  ({a.path})\nB: {b.id}  ({b.path})\n"
        f"recipe: {_same(a, b, 'recipe.json')}; inputs: {_same(a, b, 'inputs.json')}\n"
    ]

    # totals
    ta, tb = sa.get("totals", {}), sb.get("totals", {})
    rows = []
    for key in ("input", "kept", "rejected", "seconds"):
        rows.append([key, _n(ta.get(key)), _n(tb.get(key)), _delta(ta.get(key), tb.get(key))])
    ra = ta["kept"] / ta["input"] if ta.get("input") else None
    rb = tb["kept"] / tb["input"] if tb.get("input") else None
    rows.append(["retention", _pct(ra), _pct(rb), _delta(ra, rb, pct=True)])
    rows.append(["accounted", str(ta.get("accounted", "-")), str(tb.get("accounted", "-")), ""])
    parts.append("Totals\n" + table(["", "A", "B", "B - A"], rows, [False, True, True, True]))

    # rejections per stage and reason
    def reasons(stats: dict) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for st in stats.get("stages", []):
            for reason, count in (st.get("reasons") or {}).items():
                out[(st["stage"], reason)] = out.get((st["stage"], reason), 0) + int(count)
        return out

    def stage_order(stats: dict) -> dict[str, int]:
        return {st["stage"]: st.get("index", i) for i, st in enumerate(stats.get("stages", []))}

    order = {**{k: (1, v) for k, v in stage_order(sb).items()}, **{k: (0, v) for k, v in stage_order(sa).items()}}
    rea, reb = reasons(sa), reasons(sb)
    keys = sorted(set(rea) | set(reb), key=lambda k: (order.get(k[0], (2, 0)), k[0], k[1]))
    rows = [
        [stage, reason, _n(rea.get((stage, reason), 0)), _n(reb.get((stage, reason), 0)),
         _delta(rea.get((stage, reason), 0), reb.get((stage, reason), 0))]
        for stage, reason in keys
        if not only_changed or rea.get((stage, reason), 0) != reb.get((stage, reason), 0)
    ]
    parts.append(
        "Rejected per stage and reason\n"
        + (table(["stage", "reason", "A", "B", "B - A"], rows, [False, False, True, True, True]) if rows else "(none)\n")
    )

    # retention per domain x label
    def retention(stats: dict) -> dict[tuple[str, str], tuple[int, int]]:
        return {
            (_label(g.get("domain")), _label(g.get("label"))): (int(g.get("input", 0)), int(g.get("kept", 0)))
            for g in stats.get("retention", [])
        }

    rta, rtb = retention(sa), retention(sb)
    rows = []
    for key in sorted(set(rta) | set(rtb)):
        ia, ka = rta.get(key, (None, None))
        ib, kb = rtb.get(key, (None, None))
        pa = ka / ia if ia else None
        pb = kb / ib if ib else None
        if only_changed and (ia, ka) == (ib, kb):
            continue
        rows.append([key[0], key[1], _n(ia), _n(ka), _pct(pa), _n(ib), _n(kb), _pct(pb), _delta(pa, pb, pct=True)])
    parts.append(_fates_text(a, b))
    parts.append(
        "Retention per domain x label\n"
        + (
            table(
                ["domain", "label", "A input", "A kept", "A kept %", "B input", "B kept", "B kept %", "B - A"],
                rows,
                [False, False, True, True, True, True, True, True, True],
            )
            if rows
            else "(none)\n"
        )
    )
    return "\n".join(parts)


def _fates_text(a: RunDir, b: RunDir) -> str:
    """The rows whose fate changed, matched by id (counts; ``--html`` shows them)."""
    from corpus_sieve.pipeline.report.fates import changed_fates

    title = "Rows whose fate changed (matched by id)"
    missing = [str(p) for r in (a, b) for p in (r.kept_path, r.rejected_path) if not p.is_file()]
    if missing:
        return f"{title}\n(cannot match rows: {', '.join(missing)} missing)\n"
    fates = changed_fates(a.path, b.path, sample=0)
    rows = [["kept in A, rejected in B", _n(fates.kept_then_rejected)],
            ["rejected in A, kept in B", _n(fates.rejected_then_kept)],
            ["kept by both, text differs", _n(fates.text_changed)]]
    if fates.only_in_a or fates.only_in_b:
        rows += [["only in A (another input)", _n(fates.only_in_a)], ["only in B (another input)", _n(fates.only_in_b)]]
    lines = [title, table(["", "rows"], rows, [False, True]).rstrip("\n")]
    for title, counts in (("newly rejected, by B's stage / reason", fates.newly_rejected_by),
                          ("newly kept, by A's stage / reason", fates.newly_kept_from)):
        if counts:
            lines.append(f"  {title}: " + ", ".join(f"{s} / {r} {n:,}" for (s, r), n in counts.items()))
    return "\n".join(lines) + "\n"


def _label(v: Any) -> str:
    return NONE if v is None else str(v)
