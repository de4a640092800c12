"""Sentences per text, counted as datatrove counts them (spaCy's tokenizer and its ``sentencizer``), in polars.

spaCy's sentencizer starts a new sentence at the first token that is not
punctuation after a sentence mark (``.`` ``!`` ``?`` ``。``... standing alone as a
token). So the count is one plus the number of times the token sequence goes
*mark, only punctuation, something else*. The tokens come from
:func:`corpus_sieve.filters.quality.words.token_regex` with spaCy's
abbreviations for the language (``Mr.``, ``Jan.``, ``e.g.``, a single letter and
its dot): their dot ends no sentence, while ``2005.`` and ``end.`` do.
"""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.quality.words import check_language, token_regex

__all__ = ["SENTENCE_MARKS", "sentence_counts"]

#: the tokens that end a sentence (spaCy's ``Sentencizer.default_punct_chars``)
SENTENCE_MARKS = (
    "!", ".", "?", "։", "؟", "۔", "܀", "܁", "܂", "߹", "।", "॥", "၊", "။", "።", "፧", "፨", "᙮", "᜵", "᜶", "᠃",
    "᠉", "᥄", "᥅", "᪨", "᪩", "᪪", "᪫", "᭚", "᭛", "᭞", "᭟", "᰻", "᰼", "᱾", "᱿", "‼", "‽", "⁇", "⁈", "⁉", "⸮",
    "⸼", "꓿", "꘎", "꘏", "꛳", "꛷", "꡶", "꡷", "꣎", "꣏", "꤯", "꧈", "꧉", "꩝", "꩞", "꩟", "꫰", "꫱", "꯫", "﹒",
    "﹖", "﹗", "！", "．", "？", "｡", "。",
)

#: spaCy's tokenizer exceptions that keep their final dot, per language (multi-letter ones; every
#: single letter with its dot and every ``x.y.`` run keep theirs in all three)
_ABBREVIATIONS = {
    "en": ("Adm Ak Ala Apr Ariz Ark Aug Bros Calif Co Colo Conn Corp Dec Del Dr Feb Fla Ga Gen Gov Ia Id Ill "
           "Inc Ind Jan Jr Jul Jun Kan Kans Ky La Ltd Mar Mass Md Messrs Mich Minn Miss Mo Mont Mr Mrs Ms Mt "
           "Neb Nebr Nev Nov Oct Okla Ore Pa Prof Rep Rev Sen Sep Sept St Tenn Va Wash Wis co vs"),
    "pt": "Adm Art Av Cia Dr Fund Gen Gov Inc Jr Ltd Mr Rep Rev Sen Sr Sra art av dom dr ed eng etc pag pág sr sra tel vs",
    "es": ("Av Avda Cía Dr Dra Gob Gral Ing Lic Prof Profa Sr Sra Srta Ud Uds Vd Vds apdo aprox dna dpto ej esq "
           "etc fig núm pág vol"),
}


def _abbreviation(language: str) -> str:
    # longest first: the alternation takes the first that matches ("Sept." before "Sep.")
    words = sorted(_ABBREVIATIONS[language].split(), key=len, reverse=True)
    # and, as spaCy's suffix rules keep them: "U.S.", "e.g.", one letter ("J."), a word ending in
    # a small and a capital letter ("PaaS.")
    return rf"(?:{'|'.join(words)}|Ph\.D)\.|(?:\p{{L}}\.){{2,}}|\p{{L}}*\p{{Ll}}\p{{Lu}}\.|\p{{L}}\."


def sentence_counts(text: pl.Expr, language: str = "en") -> pl.Expr:
    """Sentences in each text as spaCy's sentencizer splits them (0 for an empty text).

    Examples
    --------
    >>> import polars as pl
    >>> texts = pl.Series(["Mr. Smith arrived on Jan. 5. He left. (Quietly!) Then what?", "one", ""])
    >>> pl.select(sentence_counts(pl.lit(texts))).to_series().to_list()
    [4, 1, 0]
    """
    tokens = text.str.extract_all(token_regex(_abbreviation(check_language(language))))
    element = pl.element().str.strip_chars_start()
    classes = tokens.list.eval(
        pl.when(element.is_in(SENTENCE_MARKS)).then(pl.lit("S"))
        .when(element.str.contains(r"^\p{P}+$")).then(pl.lit("P"))
        .otherwise(pl.lit("W"))
    ).list.join("")
    return pl.when(tokens.list.len() == 0).then(0).otherwise(classes.str.count_matches("S[SP]*W") + 1).cast(pl.UInt32)
