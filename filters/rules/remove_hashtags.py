"""#hashtag removal, or unwrapping to the bare word."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

# Twitter's own rule: a hashtag starts after the start of text or a character
# that is not a letter/digit/``&`` (``C#``, ``s#tag`` and ``&#39;`` are not
# hashtags) and contains at least one letter (``#1`` is a rank, not a tag).
HASHTAG = r"(?P<pre>^|[^\w&#＃])[#＃](?P<tag>\w*[\p{L}\p{M}]\w*)"
#: drop mode takes glued tags ("#a#b") in one go, so a second pass finds nothing new
HASHTAG_RUN = r"(?P<pre>^|[^\w&#＃])(?:[#＃]\w*[\p{L}\p{M}]\w*)+"


@register
class RemoveHashtags(Transform):
    """Remove ``#hashtags`` or keep their word.

    Parameters
    ----------
    mode : {"drop", "keep_word"}, default "drop"
        ``"drop"`` deletes the whole tag; ``"keep_word"`` deletes only the
        ``#`` (``#ForaBolsonaro`` -> ``ForaBolsonaro``), for tags that are
        part of the sentence.

    Not hashtags (left alone): ``C#``, ``s#tag`` (``#`` inside a word),
    ``#1`` and ``#2024`` (no letter), HTML entities (``&#39;``).

    Examples
    --------
    >>> RemoveHashtags()("tô vendo que vou chorar #descendants3")
    'tô vendo que vou chorar '
    >>> RemoveHashtags(mode="keep_word")("#ForaBolsonaro já! #São")
    'ForaBolsonaro já! São'
    >>> RemoveHashtags()("C# é a #1 linguagem")
    'C# é a #1 linguagem'
    """

    name = "remove_hashtags"

    def __init__(self, mode: str = "drop") -> None:
        if mode not in ("drop", "keep_word"):
            raise ValueError(f"mode must be 'drop' or 'keep_word', got {mode!r}")
        self.mode = mode

    def expr(self, col: pl.Expr) -> pl.Expr:
        if self.mode == "keep_word":
            return col.str.replace_all(HASHTAG, "${pre}${tag}")
        return col.str.replace_all(HASHTAG_RUN, "${pre}")
