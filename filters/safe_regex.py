"""Regular expressions that cannot hang a run: the machinery of ``regex_replace`` and ``regex_reject``.

A pattern runs natively in polars when the Rust ``regex`` engine accepts it
(linear time, no look-around, no backreferences). Patterns that need those
features fall back to the Python ``regex`` module, with a per-row ``timeout``
so that a catastrophic pattern cannot hang a run: a row that exceeds it raises
:class:`RegexTimeoutError` naming the pattern (a run stops loudly rather than
silently keeping or dropping rows).

Replacement strings use Python syntax everywhere (``\\1``, ``\\g<1>``,
``\\g<name>``); they are translated to Rust syntax (``${1}``) for the native
path, and a literal ``$`` is escaped.
"""

from __future__ import annotations

import functools
import re

import polars as pl


#: inline flag letters accepted by both engines
_FLAGS = frozenset("imsx")


class RegexTimeoutError(TimeoutError):
    """A fallback (non-Rust) pattern took longer than its timeout on one row."""


@functools.lru_cache(maxsize=1024)
def rust_regex_error(pattern: str) -> str | None:
    """The Rust regex engine's compile error for ``pattern``, or None if it compiles."""
    try:
        pl.Series([""], dtype=pl.String).str.contains(pattern)
    except pl.exceptions.PolarsError as err:  # ComputeError in polars 2.x
        return str(err)
    return None


def is_rust_compatible(pattern: str) -> bool:
    """True when polars can run ``pattern`` natively (compiled once, cached)."""
    return rust_regex_error(pattern) is None


def with_flags(pattern: str, flags: str) -> str:
    """``pattern`` prefixed with inline flags (``"i"`` -> ``(?i)``), valid in both engines."""
    bad = set(flags) - _FLAGS
    if bad:
        raise ValueError(f"unknown regex flags {''.join(sorted(bad))!r}; use any of 'i', 'm', 's', 'x'")
    return f"(?{''.join(sorted(set(flags)))}){pattern}" if flags else pattern


_PY_REPLACEMENT_TOKEN = re.compile(r"\\(?:g<(\w+)>|(\d{1,2})|(.))|\$", re.S)
_PY_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def _replacement_parts(replacement: str):
    """Yield ``("lit", text)`` and ``("ref", group)`` parts of a Python replacement."""
    pos = 0
    for m in _PY_REPLACEMENT_TOKEN.finditer(replacement):
        yield "lit", replacement[pos : m.start()]
        pos = m.end()
        if m.group(0) == "$":
            yield "lit", "$"
        elif m.group(3) is not None:
            if m.group(3) not in _PY_ESCAPES:
                raise ValueError(f"bad escape \\{m.group(3)} in replacement {replacement!r}")
            yield "lit", _PY_ESCAPES[m.group(3)]
        else:
            yield "ref", m.group(1) or m.group(2)
    yield "lit", replacement[pos:]


def python_to_rust_replacement(replacement: str) -> str:
    """Translate a Python replacement (``\\1``, ``\\g<name>``) to Rust syntax (``${1}``).

    >>> python_to_rust_replacement(r"<\\1|\\g<tag>> costs $5")
    '<${1}|${tag}> costs $$5'
    """
    out = []
    for kind, value in _replacement_parts(replacement):
        out.append("${" + value + "}" if kind == "ref" else value.replace("$", "$$"))
    return "".join(out)


def check_replacement(full_pattern: str, replacement: str) -> None:
    """ValueError when ``replacement`` names a group that ``full_pattern`` lacks."""
    import regex

    refs = [v for kind, v in _replacement_parts(replacement) if kind == "ref"]
    if not refs:
        return
    try:
        compiled = regex.compile(full_pattern)
    except regex.error:  # Rust-only syntax: the Rust engine is the judge
        return
    for ref in refs:
        ok = int(ref) <= compiled.groups if ref.isdigit() else ref in compiled.groupindex
        if not ok:
            raise ValueError(f"replacement {replacement!r} refers to group {ref!r}, which {full_pattern!r} lacks")


class SafePattern:
    """A regex that runs natively when it can and under a timeout when it cannot.

    Parameters
    ----------
    pattern : str
        The regular expression (Python/Rust common syntax).
    flags : str, default ""
        Inline flag letters: ``i`` (ignore case), ``m`` (multi-line), ``s``
        (dot matches newline), ``x`` (verbose).
    timeout : float, default 1.0
        Seconds allowed per row on the Python fallback path.

    Raises
    ------
    ValueError
        When neither engine can compile the pattern.

    Examples
    --------
    >>> SafePattern(r"\\d+").native
    True
    >>> SafePattern(r"(?<=R\\$ )\\d+").native     # look-behind: Python fallback
    False
    >>> SafePattern(r"(").native
    Traceback (most recent call last):
    ...
    ValueError: invalid regex '(': ...
    """

    def __init__(self, pattern: str, flags: str = "", timeout: float = 1.0) -> None:
        if not isinstance(pattern, str) or not pattern:
            raise ValueError("a regex pattern must be a non-empty string")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.pattern = pattern
        self.full = with_flags(pattern, flags)
        self.timeout = timeout
        self.native = is_rust_compatible(self.full)
        self._compiled = None
        if not self.native:
            import regex  # the third-party module: supports timeout=

            try:
                self._compiled = regex.compile(self.full, regex.V0)
            except regex.error as err:
                raise ValueError(
                    f"invalid regex {pattern!r}: {err} (Rust engine: {rust_regex_error(self.full)})"
                ) from None

    def _timed(self, fn, text: str):
        try:
            return fn(text, timeout=self.timeout)
        except TimeoutError:
            preview = text[:60] + ("…" if len(text) > 60 else "")
            raise RegexTimeoutError(
                f"regex {self.pattern!r} took more than {self.timeout}s on one row ({preview!r}); "
                "simplify the pattern or raise its timeout"
            ) from None

    # -- native expressions --------------------------------------------------
    def contains_expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.contains(self.full)

    def replace_expr(self, col: pl.Expr, replacement: str) -> pl.Expr:
        return col.str.replace_all(self.full, python_to_rust_replacement(replacement))

    # -- Python fallback -----------------------------------------------------
    def search_batch(self, texts: list[str]) -> list[bool]:
        assert self._compiled is not None
        return [self._timed(self._compiled.search, t) is not None for t in texts]

    def sub_batch(self, texts: list[str], replacement: str) -> list[str]:
        assert self._compiled is not None
        sub = functools.partial(self._compiled.sub, replacement)
        return [self._timed(sub, t) for t in texts]
