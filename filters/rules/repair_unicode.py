"""Unicode repair that never strips diacritics.

Three repairs, in order:

1. mojibake from UTF-8 read as cp1252/latin-1 is undone, conservatively
   (``Ã©`` -> ``é``, ``Ã§Ã£o`` -> ``ção``, ``â€œ`` -> ``“``) — first, because
   the mojibake of ``í`` (``Ã`` + soft hyphen) contains a character step 2
   removes;
2. invisible junk is removed: zero-width space, word joiner, BOM, soft hyphen
   (ZWJ/ZWNJ stay: they build emoji sequences and some scripts' words) and,
   unless ``remove_controls=False``, control characters other than tab,
   newline and carriage return;
3. NFC normalisation (``e`` + combining acute -> ``é``).

Never ASCII-folding: é, ç, ã, õ, â carry the pt-PT / pt-BR signal, and the
PtVId pipeline lost it by folding to ASCII.

Steps 2 and 3 run as native polars expressions on every row; step 1 is
per-row Python, only on rows that contain a mojibake-shaped sequence.
"""

from __future__ import annotations

import polars as pl
import regex

from corpus_sieve.filters.base import Transform, as_series
from corpus_sieve.filters.registry import register

INVISIBLE = "\u200b\u2060\ufeff\u00ad\u180e"
INVISIBLE_CLASS = f"[{INVISIBLE}]"

# cp1252 shows UTF-8 continuation bytes 0x80-0xBF as these characters (bytes
# cp1252 leaves undefined, like 0x81 and 0x9D, come through as C1 controls,
# which is also what latin-1 shows).
_CONT_CHARS = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
_CONT = "[\x80-\xbf" + "".join(c for c in _CONT_CHARS if c > "\xbf") + "]"
#: a UTF-8 lead byte seen as latin-1 (Â-ß, à-ï, ð-ô) followed by its continuation bytes
MOJIBAKE = f"[\xc2-\xdf]{_CONT}|[\xe0-\xef]{_CONT}{{2}}|[\xf0-\xf4]{_CONT}{{3}}"
_MOJIBAKE_PY = regex.compile(MOJIBAKE)

# A repaired sequence must land in a block that mojibaked Portuguese/English
# text plausibly contained; "«É»" (É + ») would decode to U+027B, an IPA letter,
# so it is left alone.
_PLAUSIBLE = (
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A: é ç ã õ º ª « »
    (0x2010, 0x206F),  # General Punctuation: – — ‘ ’ “ ” • …
    (0x20A0, 0x20CF),  # currency: €
    (0x2100, 0x214F),  # letterlike: ™ №
    (0x2190, 0x21FF),  # arrows
    (0x2600, 0x27BF),  # misc symbols, dingbats: ❤ ✔
    (0xFE00, 0xFE0F),  # variation selectors (emoji presentation)
    (0x1F000, 0x1FAFF),  # emoji
)
_MAX_ROUNDS = 3  # text mojibaked twice ("ÃƒÂ©") needs two rounds


def _latin1_bytes(seq: str) -> bytes:
    return b"".join(c.encode("cp1252") if c > "\xff" else c.encode("latin-1") for c in seq)


def _plausible(char: str) -> bool:
    cp = ord(char)
    return any(lo <= cp <= hi for lo, hi in _PLAUSIBLE)


def _repair_sequence(m: regex.Match) -> str:
    seq = m.group(0)
    try:
        fixed = _latin1_bytes(seq).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return seq
    return fixed if len(fixed) == 1 and _plausible(fixed) else seq


def fix_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-cp1252/latin-1, one byte sequence at a time.

    Correct text around the mojibake is untouched (mixed texts are common);
    a sequence is only replaced when its bytes decode to one plausible
    character.

    >>> fix_mojibake("informaÃ§Ã£o Ã© â€œboaâ€\x9d, já é")
    'informação é “boa”, já é'
    """
    for _ in range(_MAX_ROUNDS):
        fixed = _MOJIBAKE_PY.sub(_repair_sequence, text)
        if fixed == text:
            break
        text = fixed
    return text


#: C0/C1 controls except tab, newline, carriage return
CONTROL_CLASS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def _native_cleanup(col: pl.Expr, remove_controls: bool) -> pl.Expr:
    junk = f"{INVISIBLE_CLASS}|{CONTROL_CLASS}" if remove_controls else INVISIBLE_CLASS
    return col.str.replace_all(junk, "").str.normalize("NFC")


@register
class RepairUnicode(Transform):
    """Remove invisible characters, undo mojibake, normalise to NFC; keep diacritics.

    Removed: zero-width space, word joiner, BOM, soft hyphen, Mongolian vowel
    separator. Kept: ZWJ/ZWNJ (emoji sequences), every letter with its
    accents. Mojibake is repaired one sequence at a time, only when the bytes
    decode to a single character in a plausible block (Latin-1/Latin-A
    letters, punctuation, €, emoji), so correct text around it and odd but
    genuine text (``«É»``) stay. Not repaired: other codecs (UTF-8 read as
    GBK, seen in ToLD-Br as ``n茫o``): that cannot be undone safely.

    Parameters
    ----------
    remove_controls : bool, default True
        Also remove C0/C1 control characters (NUL, BEL, ESC, ...) other than
        tab, newline and carriage return. Put ``reject_invalid_chars`` before
        this stage to reject texts that are mostly control characters.

    Examples
    --------
    >>> RepairUnicode()("A informaÃ§Ã£o Ã© â€œboaâ€\x9d")
    'A informação é “boa”'
    >>> RepairUnicode()("\\ufeffcafe\\u0301 com ac\\u00adção")
    'café com acção'
    >>> RepairUnicode()("o lÃ\\u00adder\\x07 falou")
    'o líder falou'
    """

    name = "repair_unicode"

    def __init__(self, remove_controls: bool = True) -> None:
        self.remove_controls = remove_controls

    def needs_expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.contains(MOJIBAKE)

    def _one_round(self, texts: pl.Series) -> pl.Series:
        repaired = super().transform_series(texts)
        return (
            repaired.to_frame("text")
            .select(_native_cleanup(pl.col("text"), self.remove_controls))
            .to_series()
            .alias(texts.name)
        )

    def transform_series(self, texts: pl.Series | list[str | None]) -> pl.Series:
        before = as_series(texts)
        out = self._one_round(before)
        # Removing a control character can join two halves of a mojibake
        # sequence ("Ã\x01©"); rounds continue on the rows where that happened.
        for _ in range(_MAX_ROUNDS):
            again = (out != before).fill_null(False) & out.str.contains(MOJIBAKE).fill_null(False)
            if not again.any():
                break
            idx = again.arg_true()
            before = out
            out = out.scatter(idx, self._one_round(out.gather(idx)))
        return out

    def transform_batch(self, texts: list[str]) -> list[str]:
        return [fix_mojibake(t) for t in texts]
