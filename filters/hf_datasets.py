"""Use any filter inside Hugging Face ``datasets``: ``Dataset.map`` and ``Dataset.filter``.

* :func:`as_map` turns a filter into a function for ``ds.map(fn, batched=True)``:
  a transform rewrites the text column; a check or a chain drops the rows it
  rejects (or, with ``reason_column=``, keeps every row and names the reason).
* :func:`as_filter` turns a check (or a chain) into a predicate for
  ``ds.filter(fn, batched=True)``.

Both also work unbatched (one example at a time), and only read the text
column, so the other columns may hold anything ``datasets`` can store.
``datasets`` itself is not imported here.

>>> from corpus_sieve.filters import RemoveUrls, CharLength, NormalizeWhitespace
>>> batch = {"text": ["Veja https://t.co/x  agora", "oi"], "id": [1, 2]}
>>> as_map(RemoveUrls())(batch)
{'text': ['Veja   agora', 'oi']}
>>> as_map(RemoveUrls() | NormalizeWhitespace() | CharLength(min_chars=5))(batch)
{'text': ['Veja agora'], 'id': [1]}
>>> as_map(CharLength(min_chars=5), reason_column="reason")(batch)["reason"]
[None, 'too_few_chars']
>>> as_filter(CharLength(min_chars=5))(batch)
[True, False]
>>> as_filter(CharLength(min_chars=5))({"text": "oi", "id": 2})   # unbatched
False

Stateful (global) filters such as :class:`~corpus_sieve.filters.dedup.exact_dedup.ExactDedup` remember
what they saw across batches: call ``reset()`` before a pass, and keep
``num_proc=1`` so that "first occurrence" means input order.
"""

from __future__ import annotations

from typing import Any, Callable

import polars as pl

from corpus_sieve.filters.base import REASON_COLUMN, TEXT_COLUMN, Chain, Check, Filter, Transform

_ROW = "__hf_row"

Batch = dict[str, Any]


def _texts(values: list[Any]) -> pl.Series:
    return pl.Series(TEXT_COLUMN, values, dtype=pl.String)


def _verdicts(f: Filter, texts: list[Any]) -> tuple[list[Any], list[str | None]]:
    """New text and reason (None = kept) of each text, for a transform, a check or a chain."""
    if isinstance(f, Transform):
        return f.transform_series(_texts(texts)).to_list(), [None] * len(texts)
    if isinstance(f, Check):
        return list(texts), f.reasons_series(_texts(texts)).to_list()
    if isinstance(f, Chain):
        frame = pl.DataFrame({TEXT_COLUMN: _texts(texts)}).with_row_index(_ROW)
        kept, rejected = f.split(frame, TEXT_COLUMN)
        new_texts = list(texts)
        reasons: list[str | None] = [None] * len(texts)
        for i, t in zip(kept[_ROW].to_list(), kept[TEXT_COLUMN].to_list()):
            new_texts[i] = t
        for i, r in zip(rejected[_ROW].to_list(), rejected[REASON_COLUMN].to_list()):
            reasons[i] = r
        return new_texts, reasons
    raise TypeError(f"{type(f).__name__} is not a Transform, Check or Chain")


def as_map(f: Filter, column: str = TEXT_COLUMN, *, reason_column: str | None = None) -> Callable[[Batch], Batch]:
    """A function for ``Dataset.map(fn, batched=True)`` (or unbatched) that applies ``f`` to ``column``.

    Parameters
    ----------
    f : Filter
        A transform, a check, or a chain (``a | b | c``).
    column : str, default "text"
        The text column.
    reason_column : str or None, default None
        None: rows a check rejects are dropped (a batched map may return
        fewer rows; unbatched, use ``reason_column``). A name: every row is
        kept and this column holds the reason (None when kept); rejected rows
        keep their original text.

    Examples
    --------
    >>> from corpus_sieve.filters import NormalizeWhitespace
    >>> as_map(NormalizeWhitespace(), "tweet")({"tweet": ["bom   dia "]})
    {'tweet': ['bom dia']}
    >>> as_map(NormalizeWhitespace(), "tweet")({"tweet": "bom   dia "})   # unbatched
    {'tweet': 'bom dia'}
    """
    if not isinstance(f, (Transform, Check, Chain)):
        raise TypeError(f"as_map needs a Transform, Check or Chain, got {type(f).__name__}")

    def apply(batch: Batch) -> Batch:
        values = batch[column]
        single = not isinstance(values, list)
        texts, reasons = _verdicts(f, [values] if single else values)
        if isinstance(f, Transform):
            return {column: texts[0] if single else texts}
        if reason_column is not None:
            out_texts = [t if r is None else o for t, r, o in zip(texts, reasons, [values] if single else values)]
            if single:
                return {column: out_texts[0], reason_column: reasons[0]}
            return {column: out_texts, reason_column: reasons}
        if single:
            raise ValueError("as_map drops rejected rows only with batched=True; unbatched, pass reason_column= "
                             "(or use as_filter with Dataset.filter)")
        keep = [i for i, r in enumerate(reasons) if r is None]
        out = {name: [vals[i] for i in keep] for name, vals in batch.items()}
        out[column] = [texts[i] for i in keep]
        return out

    apply.__name__ = f"as_map_{getattr(f, 'name', 'filter')}"
    return apply


def as_filter(f: Filter, column: str = TEXT_COLUMN) -> Callable[[Batch], Any]:
    """A predicate for ``Dataset.filter(fn, batched=True)`` (or unbatched): keep the rows ``f`` keeps.

    ``f`` is a check or a chain; a chain's transforms run first (on a copy),
    so the decision is the one the chain takes, but the text is not changed
    (use :func:`as_map` for that).

    Examples
    --------
    >>> from corpus_sieve.filters import RejectEmpty
    >>> as_filter(RejectEmpty())({"text": ["olá", "   "]})
    [True, False]
    """
    if isinstance(f, Transform):
        raise TypeError(f"{type(f).__name__} is a transform: it rewrites text and never rejects; use as_map")
    if not isinstance(f, (Check, Chain)):
        raise TypeError(f"as_filter needs a Check or Chain, got {type(f).__name__}")

    def keep(batch: Batch) -> Any:
        values = batch[column]
        single = not isinstance(values, list)
        _, reasons = _verdicts(f, [values] if single else values)
        mask = [r is None for r in reasons]
        return mask[0] if single else mask

    keep.__name__ = f"as_filter_{getattr(f, 'name', 'filter')}"
    return keep
