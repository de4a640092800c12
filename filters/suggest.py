"""The one did-you-mean helper: every "unknown name" message in corpus-sieve suggests with it.

>>> did_you_mean("char_lenght", ["char_length", "reject_empty"])
"did you mean 'char_length'?"
>>> did_you_mean("TEXT", ["text", "label"])
"did you mean 'text'?"
>>> did_you_mean("zzz", ["text"])
''
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_matches", "did_you_mean"]


def close_matches(word: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The ``n`` choices closest to ``word``: one that differs only in case first, then difflib's ratio above ``cutoff``."""
    choices = [str(c) for c in choices]
    word = str(word)
    same_but_case = [c for c in choices if c.lower() == word.lower() and c != word]
    if same_but_case:
        return same_but_case[:n]
    return difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)


def did_you_mean(word: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> str:
    """``"did you mean 'x'?"`` (``'x' or 'y'`` for ``n`` > 1) when a choice is close to ``word``, else ``""``."""
    close = close_matches(word, choices, n=n, cutoff=cutoff)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
