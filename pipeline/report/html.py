"""The report toolkit shared by the audit report (``sieve audit``) and the run reports
(``sieve clean``, ``sieve runs compare --html``): escaping, numbers, the page shell, the
style sheet, highlighted spans and text differences.

Every report is one self-contained HTML file that works offline. Corpus text,
labels, domains, ids and recipe values are untrusted: each goes through
:func:`esc`, and every page carries a Content-Security-Policy that forbids
scripts (:data:`CSP`), so hostile text renders as text. No JavaScript is used.
"""

from __future__ import annotations

import difflib
import html
import math
import re
from typing import Any

__all__ = ["CSP", "BASE_CSS", "esc", "fmt", "page", "highlight", "diff_html", "version"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def esc(value: Any) -> str:
    """HTML/XML-escape ``value`` (quotes included), safe in text and in attribute values.

    >>> esc('<script>"x"</script>')
    '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: float | int | None) -> str:
    """A short human number: ``1,234``, ``0.123``, ``3.2e-07``.

    >>> fmt(1234), fmt(0.12345), fmt(3.2e-7), fmt(None)
    ('1,234', '0.123', '3.2e-07', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    v = float(value)
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) < 0.001:
        return f"{v:.2g}"
    return f"{v:.3g}"


def page(title: str, body: str, footer: str, extra_css: str = "") -> str:
    """A whole report page: ``body`` (already escaped HTML) in the shared shell and style sheet.

    >>> "<script>" in page("<script>", "", "")
    False
    """
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{BASE_CSS}{extra_css}</style></head>"
        f"<body><main>{body}</main><footer>{footer}</footer></body></html>\n"
    )


def highlight(text: str | None, feature: str | None) -> str:
    """``text`` escaped, with case-insensitive occurrences of ``feature`` wrapped in ``<mark>``.

    >>> highlight("Diário de <b>Notícias</b>", "notícias")
    'Diário de &lt;b&gt;<mark>Notícias</mark>&lt;/b&gt;'
    """
    text = text or ""
    if not feature or len(feature) < 2:
        return esc(text)
    parts = re.split(rf"(?<!\w)({re.escape(feature)})(?!\w)", text, flags=re.IGNORECASE)
    return "".join(f"<mark>{esc(p)}</mark>" if i % 2 else esc(p) for i, p in enumerate(parts))


_PIECES = re.compile(r"\s+|\w+|[^\w\s]")


def diff_html(before: str | None, after: str | None, max_pieces: int = 4000,
              mark_added: bool = True) -> tuple[str, str]:
    """``before`` and ``after`` escaped, with the spans a transform removed in ``<del>`` and the
    spans it added or changed in ``<ins>`` (a word-level difference, ``difflib``).

    ``mark_added=False`` leaves ``after`` unmarked: for texts cut for display, where
    what follows the cut of ``before`` would look added in ``after``.

    >>> diff_html("RT @ana: olá <b>", "olá <b>")
    ('<del>RT @ana: </del>olá &lt;b&gt;', 'olá &lt;b&gt;')
    """
    a, b = _PIECES.findall(before or ""), _PIECES.findall(after or "")
    if len(a) + len(b) > max_pieces:  # very long texts: marked as a whole
        return f"<del>{esc(before)}</del>", f"<ins>{esc(after)}</ins>" if mark_added else esc(after)
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = esc("".join(a[i1:i2])), esc("".join(b[j1:j2]))
        if op == "equal":
            old.append(left)
            new.append(right)
            continue
        if left:
            old.append(f"<del>{left}</del>")
        if right:
            new.append(f"<ins>{right}</ins>" if mark_added else right)
    return "".join(old), "".join(new)


def version() -> str:
    """The installed corpus-sieve version (``dev`` in a checkout that is not installed)."""
    try:
        from importlib.metadata import version

        return version("corpus-sieve")
    except Exception:  # noqa: BLE001 - not installed (running from a checkout)
        return "dev"


BASE_CSS = """
:root{--err:#b00020;--warn:#a85d00;--info:#3b6ea5;--ok:#1b7f3b;--ink:#1d1d1f;--muted:#6b6b70;--line:#e2e2e6}
*{box-sizing:border-box}
body{margin:0;background:#f6f6f8;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef0f3;padding:1px 4px;border-radius:4px}
.verdict{display:flex;gap:20px;align-items:center;padding:20px 24px;border-radius:12px;background:#fff;border-left:10px solid var(--ok);box-shadow:0 1px 3px rgba(0,0,0,.08)}
.verdict-warn{border-left-color:var(--warn)}.verdict-fail{border-left-color:var(--err)}
.badge{font-size:28px;font-weight:800;letter-spacing:.04em;color:#fff;background:var(--ok);padding:10px 18px;border-radius:10px}
.verdict-warn .badge{background:var(--warn)}.verdict-fail .badge{background:var(--err)}
.chips{margin:6px 0}.chip{display:inline-block;margin-right:8px;padding:2px 10px;border-radius:999px;font-weight:600;font-size:14px;color:#fff}
.chip.sev-error{background:var(--err)}.chip.sev-warn{background:var(--warn)}.chip.sev-info{background:var(--info)}
.facts{margin:0;color:var(--muted)}.excluded{margin:6px 0 0;color:var(--warn);font-weight:600}
table{border-collapse:collapse;background:#fff}th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;font-size:13px;color:var(--muted)}.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 0}
.overview{width:100%;border-radius:8px;overflow:hidden}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:8px;background:var(--ok)}
.dot.sev-error{background:var(--err)}.dot.sev-warn{background:var(--warn)}.dot.sev-info{background:var(--info)}
.finding{background:#fff;border-radius:10px;margin:10px 0;border-left:6px solid var(--info);box-shadow:0 1px 2px rgba(0,0,0,.06)}
.finding.sev-error{border-left-color:var(--err)}.finding.sev-warn{border-left-color:var(--warn)}
.finding>summary{cursor:pointer;padding:10px 14px;list-style-position:outside}
.finding .msg{font-weight:500}.finding .check{color:var(--muted);font-size:13px;margin-right:6px}
.sev{display:inline-block;min-width:64px;text-align:center;font-size:12px;font-weight:700;text-transform:uppercase;color:#fff;border-radius:4px;padding:1px 6px;margin-right:6px;background:var(--info)}
.sev.sev-error{background:var(--err)}.sev.sev-warn{background:var(--warn)}
.fbody{padding:0 16px 12px 16px}
.tags{margin:0 0 6px}.tag{display:inline-block;margin:0 6px 4px 0;padding:1px 8px;border:1px solid var(--line);border-radius:6px;font-size:13px;background:#fafafa}
.tag .k{color:var(--muted)}
.statline{margin:4px 0;font-weight:500}.rowsline{margin:4px 0;color:var(--muted)}
.advice{margin:8px 0;display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}
.advice dt{font-weight:600;color:var(--muted)}.advice dd{margin:0}
details.stats summary{cursor:pointer;color:var(--muted);font-size:13px}
.kv th{font-weight:400;color:var(--ink)}
.examples{width:100%;margin-top:8px;font-size:13px}.examples .text{white-space:pre-wrap;word-break:break-word;max-width:620px}
.examples .id{font-family:ui-monospace,monospace;color:var(--muted);white-space:nowrap}
mark{background:#ffe08a;padding:0 1px}
figure{background:#fff;margin:12px 0;padding:12px 16px;border-radius:10px;box-shadow:0 1px 2px rgba(0,0,0,.06);overflow-x:auto}
figcaption{margin-bottom:8px;color:var(--muted)}figcaption strong{color:var(--ink);margin-right:4px}
.panels{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:flex-start}.panel svg{display:block}
.tables{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
#settings summary h2{display:inline}#settings>details>summary{cursor:pointer}
.muted{color:var(--muted);font-weight:400}.good{color:var(--ok);font-weight:600}
nav{margin:10px 2px 0;font-size:14px}nav a{color:var(--info);margin-right:16px;text-decoration:none}
nav a:hover{text-decoration:underline}
footer{max-width:1080px;margin:0 auto;padding:8px 24px 32px;color:var(--muted);font-size:13px}
del{background:#fde2e1;color:#8a1c1c;text-decoration:line-through}ins{background:#dff3e4;color:#145a2a;text-decoration:none}
"""
