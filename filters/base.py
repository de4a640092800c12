"""The filter contract.

A filter is one small, named rule. It comes in two kinds:

* a :class:`Transform` rewrites text (``"RT @ana: olá"`` -> ``"olá"``);
* a :class:`Check` keeps a text, or rejects it with a named *reason*
  (``"too_few_tokens"``).

Every filter works in three places with the same semantics:

1. on one ``str`` in ordinary preprocessing code::

       >>> from corpus_sieve.filters import NormalizeWhitespace, CharLength
       >>> NormalizeWhitespace()("olá   mundo ")
       'olá mundo'
       >>> CharLength(min_chars=5)("olá")        # a Check called on a str -> keep?
       False
       >>> CharLength(min_chars=5).reason("olá")
       'too_few_chars'

2. on a polars ``Series`` / ``DataFrame`` / ``LazyFrame`` (the ``column``
   argument names the text column, default ``"text"``)::

       >>> import polars as pl
       >>> df = pl.DataFrame({"text": ["olá   mundo", "olá"]})
       >>> NormalizeWhitespace()(df)["text"].to_list()     # rewrites df["text"]
       ['olá mundo', 'olá']
       >>> kept, rejected = CharLength(min_chars=5).split(df)
       >>> rejected["reason"].to_list()
       ['too_few_chars']

3. as a pipeline stage (see ``corpus_sieve.pipeline.recipe.recipe``), where the pipeline routes
   rejects, counts them per reason and times every stage.

Filters compose: ``a | b`` (or ``Chain([a, b])``) is itself a filter.

Implementing a filter (the datatrove-style tiny contract): a subclass sets
``name`` and implements *one* of

* ``expr(col) -> pl.Expr``           (Transform, runs as native polars/Rust), or
  ``transform_batch(texts) -> list[str]``  (Transform, per-row Python), and
* ``reason_expr(col) -> pl.Expr``    (Check: a String expr, null = keep), or
  ``reasons_batch(texts) -> list[str | None]`` (Check, per-row Python).

Python-backed filters may also define ``needs_expr(col)`` (a boolean expr) so
that only rows that need the work are handed to Python (e.g. only rows that
contain ``<``). Everything else (str/Series/DataFrame/LazyFrame dispatch,
batching, scatter-back, composition) is done here, once.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable, Sequence

import polars as pl

TEXT_COLUMN = "text"
REASON_COLUMN = "reason"
STAGE_COLUMN = "stage"
#: the column a check that :attr:`Check.rewrites_text` adds to :meth:`Check.reasons_frame`
CLEANED_COLUMN = "cleaned_text"
#: :meth:`Filter.prepare` may return this column (a list of uint64 keys per row) to have the Ray engine
#: group the rows by key across the cluster: it then hands :meth:`Check.reasons_frame` each row's
#: :data:`ORDER_COLUMN` (its input position) and :data:`EARLIER_COLUMN` (the input positions of the
#: first row of each of its keys, when earlier than the row)
KEYS_COLUMN = "__keys"
ORDER_COLUMN = "__order"
EARLIER_COLUMN = "__earlier"

FrameLike = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class Outcome:
    """What a filter (or a chain) did to one text.

    ``reason`` is ``None`` when the text is kept; ``stage`` names the filter
    that rejected it.
    """

    text: str
    reason: str | None = None
    stage: str | None = None

    @property
    def kept(self) -> bool:
        return self.reason is None


class Filter:
    """Base class of every filter; see the module docstring for the contract."""

    #: registry name used in recipes, e.g. ``"remove_urls"``
    name: ClassVar[str] = "filter"
    #: ``"transform"`` or ``"check"``
    kind: ClassVar[str] = "filter"
    #: True for filters that must see all batches in order (exact dedup):
    #: they keep state between calls and cannot run on independent shards.
    is_global: ClassVar[bool] = False
    #: True when ``transform_batch`` / ``reasons_batch`` also take UTF-8 ``bytes``
    #: (with the same results as for the ``str``): Series are then handed over
    #: as bytes, and no Python ``str`` is built for texts the filter only
    #: encodes again (web pages going to lxml)
    accepts_utf8: ClassVar[bool] = False
    #: False keeps the filter's per-row Python work in the calling process
    #: (the pipeline otherwise spreads it over worker processes)
    parallel: ClassVar[bool] = True
    #: parameters that decide the class a stage runs (:meth:`variant_for`): a recipe
    #: may not take them from a column, nor change them per domain
    variant_params: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def variant_for(cls, params: dict[str, Any]) -> type[Filter]:
        """The class a recipe stage with ``params`` runs: ``cls`` itself, unless a parameter
        changes the kind (``redact_pii`` with ``action: reject`` is a check, not a transform)."""
        return cls

    # -- parameters (scikit-learn style) -----------------------------------
    def get_params(self) -> dict[str, Any]:
        """The constructor parameters of this filter, by name.

        Every parameter must be stored under its own name (scikit-learn's
        rule): a recipe, ``repr`` and a checkpoint read the parameters back
        from the attributes, so a missing one is an error, not a skipped value.
        """
        sig = inspect.signature(type(self).__init__)
        names = [p for p, param in sig.parameters.items()
                 if p != "self" and param.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
        missing = [p for p in names if not hasattr(self, p)]
        if missing:
            raise AttributeError(
                f"{type(self).__name__} does not store its parameter(s) {', '.join(missing)} as attributes "
                f"of the same name; get_params() cannot read them back (set self.{missing[0]} in __init__)"
            )
        return {p: getattr(self, p) for p in names}

    # -- hooks the pipeline relies on ----------------------------------------
    def key_expr(self, col: pl.Expr) -> pl.Expr | None:
        """The normalised key a global filter compares rows by, or None.

        The Ray engine sends rows with equal keys to the same worker
        (``exact_dedup`` returns its normalised text); None sends every row
        of a global stage to one worker.
        """
        return None

    def output_columns(self) -> dict[str, pl.DataType]:
        """Columns this filter writes onto every row it sees, by name and type (none by default).

        A check that finds something later stages or audits want (``language_id``'s
        ``language`` and ``language_score``) returns them from ``reasons_frame``;
        the pipeline adds them to the kept and rejected rows (null on rows the
        stage never saw).
        """
        return {}

    def get_state(self) -> dict[str, Any]:
        """What a global filter remembers between batches, for a checkpoint (``--resume``).

        The default is every attribute that is not a parameter; values must
        be JSON values or polars DataFrames. Override with :meth:`set_state`.
        """
        params = set(self.get_params())
        return {k: v for k, v in vars(self).items() if k not in params}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`get_state` returned (a resumed run)."""
        for k, v in state.items():
            setattr(self, k, v)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def reset(self) -> None:
        """Forget any state kept between batches (a new run starts)."""

    def prepare(self, texts: pl.Series) -> pl.DataFrame | None:
        """Per-row work of a global filter that does not depend on other rows (``near_dedup``'s MinHash
        signatures), as columns aligned with ``texts``. The Ray engine runs it on every worker before
        the rows meet in the one task of a global stage, and hands the columns to ``reasons_frame``
        with the rows; the local engine never calls it (the filter does the work itself). Column
        names start with ``__``; a :data:`KEYS_COLUMN` asks for the rows to be grouped by key
        across the cluster. None (the default): nothing to prepare."""
        return None

    def warm_up(self) -> None:
        """Load what the filter needs before its first batch (``language_id``'s model). The local
        engine calls it in a background thread as a run starts, so the loading overlaps the
        reading of the input; the filter must load it on first use anyway. Default: nothing."""

    # -- composition --------------------------------------------------------
    def __or__(self, other: Filter) -> Chain:
        return Chain([self, other])

    # -- the three uses -----------------------------------------------------
    def process(self, text: str) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, data: Any, column: str = TEXT_COLUMN) -> Any:
        raise NotImplementedError


def as_series(texts: Iterable[str | None] | pl.Series) -> pl.Series:
    """``texts`` as a polars String Series (a Series is cast, anything else is collected)."""
    if isinstance(texts, pl.Series):
        return texts.cast(pl.String)
    return pl.Series(TEXT_COLUMN, list(texts), dtype=pl.String)


def python_values(instance: Filter, texts: pl.Series) -> list[Any]:
    """``texts`` (a String Series without nulls) as the list a filter's per-row Python takes.

    ``str`` values, or UTF-8 ``bytes`` for filters with ``accepts_utf8``
    (the cast to Binary is free, and ``bytes`` cost a copy, not a decode).
    """
    if type(instance).accepts_utf8:
        return texts.cast(pl.Binary).to_list()
    return texts.to_list()


def scatter(values: pl.Series, mask: pl.Series, updates: Sequence[Any], dtype: Any) -> pl.Series:
    """``values`` with the rows where ``mask`` is true replaced by ``updates``."""
    idx = mask.arg_true()
    return values.cast(dtype).scatter(idx, pl.Series(values.name, list(updates), dtype=dtype))


class Transform(Filter):
    """A filter that rewrites text. Never rejects."""

    kind: ClassVar[str] = "transform"

    # -- implement one of these two -----------------------------------------
    def expr(self, col: pl.Expr) -> pl.Expr:
        """Native polars expression computing the new text from ``col``."""
        raise NotImplementedError

    def transform_batch(self, texts: list[str]) -> list[str]:
        """Per-row Python fallback: the new text of each input text."""
        raise NotImplementedError

    def needs_expr(self, col: pl.Expr) -> pl.Expr | None:
        """Boolean expr: rows that need ``transform_batch``; None = all rows."""
        return None

    # -- derived ----------------------------------------------------------------
    @property
    def is_native(self) -> bool:
        return type(self).expr is not Transform.expr

    def transform_series(self, texts: pl.Series | Iterable[str | None]) -> pl.Series:
        """The transformed texts, same length and order; nulls stay null."""
        s = as_series(texts)
        name = s.name
        if self.is_native:
            return s.to_frame(TEXT_COLUMN).select(self.expr(pl.col(TEXT_COLUMN))).to_series().alias(name)
        mask_expr = self.needs_expr(pl.col(TEXT_COLUMN))
        frame = s.to_frame(TEXT_COLUMN)
        mask = s.is_not_null()
        if mask_expr is not None:
            mask = mask & frame.select(mask_expr.fill_null(False)).to_series()
        todo = python_values(self, s.filter(mask))
        if not todo:
            return s
        return scatter(s, mask, self.transform_batch(todo), pl.String).alias(name)

    def transform(self, text: str) -> str:
        """The transformed text of one string."""
        return self.transform_series([text])[0]

    def process(self, text: str) -> Outcome:
        return Outcome(self.transform(text))

    def __call__(self, data: Any, column: str = TEXT_COLUMN) -> Any:
        """Apply to a ``str``, a ``Series``, or a column of a ``DataFrame``/``LazyFrame``."""
        if isinstance(data, str):
            return self.transform(data)
        if isinstance(data, pl.Series):
            return self.transform_series(data)
        if isinstance(data, pl.DataFrame):
            return data.with_columns(self.transform_series(data[column]).alias(column))
        if isinstance(data, pl.LazyFrame):
            if self.is_native:
                return data.with_columns(self.expr(pl.col(column)).alias(column))
            return data.with_columns(
                pl.col(column).map_batches(self.transform_series, return_dtype=pl.String, is_elementwise=True)
            )
        raise TypeError(f"{self.name}: cannot apply to {type(data).__name__}")


class Check(Filter):
    """A filter that keeps a text or rejects it with a named reason."""

    kind: ClassVar[str] = "check"
    #: the reasons this check can give (documentation and recipe validation)
    reasons: ClassVar[tuple[str, ...]] = ()
    #: True for a check that also rewrites the texts it keeps (``c4_quality`` drops lines, then
    #: judges what is left): its :meth:`reasons_frame` returns a :data:`CLEANED_COLUMN` too, and
    #: the pipeline, :meth:`split`, :meth:`process` and calling it keep that text
    rewrites_text: ClassVar[bool] = False

    # -- implement one of these two -----------------------------------------
    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        """Native polars expression: the reason (String) to reject, null to keep."""
        raise NotImplementedError

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        """Per-row Python fallback: the reason of each text, ``None`` to keep."""
        raise NotImplementedError

    def needs_expr(self, col: pl.Expr) -> pl.Expr | None:
        """Boolean expr: rows that need ``reasons_batch``; None = all rows."""
        return None

    # -- derived ----------------------------------------------------------------
    @property
    def is_native(self) -> bool:
        return type(self).reason_expr is not Check.reason_expr

    def reasons_series(self, texts: pl.Series | Iterable[str | None]) -> pl.Series:
        """One reason per text (null = keep), same length and order."""
        s = as_series(texts)
        if self.is_native:
            # with_columns, not select: a reason_expr that is a bare literal (no
            # bound configured) must still give one reason per row
            return (
                s.to_frame(TEXT_COLUMN)
                .with_columns(self.reason_expr(pl.col(TEXT_COLUMN)).cast(pl.String).alias(REASON_COLUMN))
                .get_column(REASON_COLUMN)
            )
        reasons = pl.Series(REASON_COLUMN, [None] * len(s), dtype=pl.String)
        mask = s.is_not_null()
        mask_expr = self.needs_expr(pl.col(TEXT_COLUMN))
        if mask_expr is not None:
            mask = mask & s.to_frame(TEXT_COLUMN).select(mask_expr.fill_null(False)).to_series()
        todo = python_values(self, s.filter(mask))
        if not todo:
            return reasons
        return scatter(reasons, mask, self.reasons_batch(todo), pl.String)

    def reasons_frame(self, frame: pl.DataFrame, column: str = TEXT_COLUMN, id_column: str | None = None) -> pl.DataFrame:
        """Frame-level hook: a ``reason`` column and any extra detail columns.

        Most checks only look at the text; checks that need more (exact dedup
        names the id of the original) override this. A check that
        :attr:`rewrites_text` returns the texts it leaves as :data:`CLEANED_COLUMN`.
        """
        return self.reasons_series(frame[column]).to_frame(REASON_COLUMN)

    def _kept_rows(self, frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, pl.Series]:
        """``frame`` with this check's cleaned text (when it rewrites) and its reasons."""
        extra = self.reasons_frame(frame, column)
        if self.rewrites_text:
            frame = frame.with_columns(extra[CLEANED_COLUMN].alias(column))
            extra = extra.drop(CLEANED_COLUMN)
        return frame.with_columns(extra.get_columns()), extra[REASON_COLUMN]

    def reason(self, text: str) -> str | None:
        """Why ``text`` is rejected, or ``None`` when it is kept."""
        return self.reasons_series([text])[0]

    def keep(self, text: str) -> bool:
        return self.reason(text) is None

    def process(self, text: str) -> Outcome:
        if self.rewrites_text:
            out = self.reasons_frame(pl.DataFrame({TEXT_COLUMN: [text]}, schema={TEXT_COLUMN: pl.String}))
            why, cleaned = out[REASON_COLUMN][0], out[CLEANED_COLUMN][0]
            return Outcome(text if why else cleaned, why, self.name if why else None)
        why = self.reason(text)
        return Outcome(text, why, self.name if why else None)

    def split(self, data: FrameLike, column: str = TEXT_COLUMN) -> tuple[pl.DataFrame, pl.DataFrame]:
        """``(kept, rejected)``; rejected rows carry ``reason`` and ``stage`` columns (and the text
        as it came in); kept rows carry the cleaned text of a check that :attr:`rewrites_text`."""
        df = data.collect() if isinstance(data, pl.LazyFrame) else data
        tagged, reasons = self._kept_rows(df, column)
        kept = tagged.filter(reasons.is_null()).select(df.columns)
        rejected = df.with_columns(tagged.drop(df.columns).get_columns()).filter(reasons.is_not_null()).with_columns(
            pl.lit(self.name).alias(STAGE_COLUMN)
        )
        return kept, rejected

    def __call__(self, data: Any, column: str = TEXT_COLUMN) -> Any:
        """On a ``str``: keep? On a ``Series``/``DataFrame``/``LazyFrame``: the kept rows (with the
        cleaned text of a check that :attr:`rewrites_text`)."""
        if isinstance(data, str):
            return self.keep(data)
        if self.rewrites_text and isinstance(data, (pl.Series, pl.DataFrame, pl.LazyFrame)):
            if isinstance(data, pl.Series):
                return self.split(data.to_frame(TEXT_COLUMN))[0][TEXT_COLUMN].alias(data.name)
            if isinstance(data, pl.LazyFrame):
                return data.map_batches(lambda df: self.split(df, column)[0])
            return self.split(data, column)[0]
        if isinstance(data, pl.Series):
            return data.filter(self.reasons_series(data).is_null())
        if isinstance(data, pl.DataFrame):
            return data.filter(self.reasons_series(data[column]).is_null())
        if isinstance(data, pl.LazyFrame):
            if self.is_native:
                return data.filter(self.reason_expr(pl.col(column)).is_null())
            return data.filter(
                pl.col(column)
                .map_batches(self.reasons_series, return_dtype=pl.String, is_elementwise=True)
                .is_null()
            )
        raise TypeError(f"{self.name}: cannot apply to {type(data).__name__}")


class Chain(Filter):
    """Filters applied in order; itself a filter.

    On a ``str`` it returns the cleaned text, or ``None`` when a check rejected
    it (``process`` tells which check and why). On a frame it returns the kept
    rows with cleaned text; ``split`` also returns the rejected rows (with
    their *original* text, ``reason`` and ``stage``).

    >>> from corpus_sieve.filters import NormalizeWhitespace, CharLength
    >>> clean = NormalizeWhitespace() | CharLength(min_chars=3)
    >>> clean("  bom   dia ")
    'bom dia'
    >>> clean.process(" ok ").reason
    'too_few_chars'
    """

    name: ClassVar[str] = "chain"
    kind: ClassVar[str] = "chain"

    def __init__(self, filters: Sequence[Filter]) -> None:
        flat: list[Filter] = []
        for f in filters:
            flat.extend(f.filters if isinstance(f, Chain) else [f])
        self.filters = flat

    def __or__(self, other: Filter) -> Chain:
        return Chain([*self.filters, other])

    def reset(self) -> None:
        for f in self.filters:
            f.reset()

    def process(self, text: str) -> Outcome:
        for f in self.filters:
            out = f.process(text)
            if not out.kept:
                return out
            text = out.text
        return Outcome(text)

    def __call__(self, data: Any, column: str = TEXT_COLUMN) -> Any:
        if isinstance(data, str):
            out = self.process(data)
            return out.text if out.kept else None
        if isinstance(data, pl.Series):
            kept, _ = self.split(data.to_frame(TEXT_COLUMN))
            return kept[TEXT_COLUMN].alias(data.name)
        if isinstance(data, pl.LazyFrame):
            if all(f.is_native for f in self.filters if isinstance(f, (Transform, Check))):
                lf = data
                for f in self.filters:
                    lf = f(lf, column)
                return lf
            return data.map_batches(lambda df: self.split(df, column)[0])
        if isinstance(data, pl.DataFrame):
            return self.split(data, column)[0]
        raise TypeError(f"chain: cannot apply to {type(data).__name__}")

    def split(self, data: FrameLike, column: str = TEXT_COLUMN) -> tuple[pl.DataFrame, pl.DataFrame]:
        """``(kept, rejected)``: kept rows cleaned, rejected rows as they came in."""
        df = data.collect() if isinstance(data, pl.LazyFrame) else data
        original = df
        row = "__row__"
        work = df.with_row_index(row)
        rejected_parts: list[pl.DataFrame] = []
        for f in self.filters:
            if work.height == 0:
                break
            if isinstance(f, Transform):
                work = f(work, column)
            else:
                assert isinstance(f, Check)
                k, r = f.split(work, column)
                work = k
                if r.height:
                    rejected_parts.append(r.select(row, REASON_COLUMN, STAGE_COLUMN))
        kept = work.drop(row)
        if rejected_parts:
            rej_idx = pl.concat(rejected_parts)
            rejected = (
                original.with_row_index(row)
                .join(rej_idx, on=row, how="inner")
                .sort(row)
                .drop(row)
            )
        else:
            rejected = original.clear().with_columns(
                pl.lit(None, pl.String).alias(REASON_COLUMN), pl.lit(None, pl.String).alias(STAGE_COLUMN)
            )
        return kept, rejected


def chain(*filters: Filter) -> Chain:
    """``chain(a, b, c)`` is ``a | b | c``."""
    return Chain(filters)

