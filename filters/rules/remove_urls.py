"""URL removal: schemes, ``www.``, bare domains with a known TLD, t.co links.

The PtVId rule this replaces ate ``casa.Ele`` (a full stop with the space
missing). Here a bare domain (no scheme, no ``www.``) only counts when its last
label is a known, *lowercase* top-level domain (``casa.Ele``: ``Ele`` is not
one; ``fim.Com``: upper case, a sentence boundary). Short TLDs that are also
Portuguese or English words (``de``, ``no``, ``se``, ``eu``, ``ao``, ``it`` ...)
only count with a path (``x.de/y``) or three labels (``www2.x.de``,
``lei.gov.ao``). Numbers (``3.5``, ``1.000.000``) never match: TLDs are letters.
Trailing punctuation is never eaten (``https://x.pt/a.`` keeps the ``.``; a
closing ``)`` stays unless the URL opened it).
"""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

#: TLDs that are not common Portuguese/English words (lower case only: a
#: capitalised "TLD" after a dot is a sentence boundary, not a domain).
STRONG_TLDS = (
    "com net org edu gov int info biz io app dev ly gl gg xyz online site news blog eus "
    "pt br mz cv gw st tl mo uk ie fr es nl ch dk fi pl ru cn jp kr mx cl pe uy bo ve ec "
    "ca au nz za ua gr cz hu ro tv fm"
).split()
#: TLDs that double as words ("casa.eu vou", "fim.de semana"): need a path or 3 labels
WEAK_TLDS = "de no se do eu me as ao na ai ar mil in is it at be by my so to us am co la".split()

# py/rs/md/sh are also file extensions (script.py, notas.md): deliberately absent.

_LABEL = r"[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?"
_PATH_CHAR = r"""[^\s<>"«»“”‘’()\[\]{}]"""
_PATH_END = r"""[^\s<>"«»“”‘’()\[\]{}.,;:!?'…*]"""  # a URL never ends in punctuation
_PAREN = r"""\([^\s<>"()]*\)"""  # balanced (...) inside a URL: wiki/Foo_(bar)
_REST = rf"(?:(?:{_PATH_CHAR}|{_PAREN})*(?:{_PATH_END}|{_PAREN}))?"
_PORT_PATH = rf"(?::\d{{1,5}})?(?:/{_REST})?"


def _alt(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# no boundary before a scheme: tweets glue links to the previous word ("馃敆https://")
SCHEME_URL = rf"(?i:https?|ftps?):/{{1,2}}{_REST}"
#: a link that Twitter cut short with an ellipsis: "https:…", "http…"
TRUNCATED_URL = r"(?i:https?)(?::/{0,2}[^\s…]*)?…"
# Unicode \b would force polars' regex off its fast DFA (3x slower on tweets),
# so boundaries are spelled out: the character before "www" (so "awww.Que"
# is not a link) and the character after a TLD (so "x.ptx" is not a domain)
# are captured and put back.
_NOT_LABEL = r"[^\p{L}\p{N}_-]"
WWW_URL = rf"(?P<wpre>^|[^\w.])(?i:www\d{{0,3}})\.[\p{{L}}\p{{N}}]{_REST}"
BARE_DOMAIN = (
    # weak TLDs first, so that "lei.gov.ao" is not cut at "lei.gov"
    rf"(?:(?:{_LABEL}\.){{2,}}(?:{_alt(WEAK_TLDS)}){_PORT_PATH}"
    rf"|(?:{_LABEL}\.)+(?:{_alt(WEAK_TLDS)})(?::\d{{1,5}})?/{_REST}"
    rf"|(?:{_LABEL}\.)+(?:{_alt(STRONG_TLDS)}){_PORT_PATH})"
    # a link glued to the next one ("a.comhttp://b.com") goes with it
    rf"(?:(?P<post>{_NOT_LABEL}|$)|{TRUNCATED_URL}|{SCHEME_URL})"
)
#: e-mails come first: leftmost-first matching consumes an e-mail as one unit,
#: so its domain part (``gmail.com``) is never taken for a bare domain.
URL_OR_EMAIL = rf"(?P<email>{EMAIL})|{TRUNCATED_URL}|{SCHEME_URL}|{WWW_URL}|{BARE_DOMAIN}"


@register
class RemoveUrls(Transform):
    """Remove URLs: ``https://…``, ``www.…``, bare domains such as ``publico.pt/x``.

    Parameters
    ----------
    replacement : str, default ""
        Text put where each URL was (e.g. ``" "`` or ``"<URL>"``).
    emails : {"keep", "remove"}, default "keep"
        E-mail addresses are kept whole by default (``ana@gmail.com`` is not a
        URL, and half-removing it would leave ``ana@``); ``"remove"`` replaces
        them with ``replacement`` too.

    Examples
    --------
    >>> RemoveUrls()("veja https://x.pt/a.")
    'veja .'
    >>> RemoveUrls()("em g1.globo.com e publico.pt/x, casa.Ele e 3.5")
    'em  e , casa.Ele e 3.5'
    >>> RemoveUrls()("escreva para ana@gmail.com")
    'escreva para ana@gmail.com'
    >>> RemoveUrls(replacement="<URL>", emails="remove")("ana@gmail.com ou www.x.pt")
    '<URL> ou <URL>'
    """

    name = "remove_urls"

    def __init__(self, replacement: str = "", emails: str = "keep") -> None:
        if emails not in ("keep", "remove"):
            raise ValueError(f"emails must be 'keep' or 'remove', got {emails!r}")
        self.replacement = replacement
        self.emails = emails

    @property
    def is_native(self) -> bool:
        # Keeping e-mails while inserting a replacement needs a conditional
        # substitution, which Rust replacement templates cannot express.
        return self.emails == "remove" or self.replacement == ""

    def expr(self, col: pl.Expr) -> pl.Expr:
        # the boundary characters around a URL are put back; in "keep" mode
        # (replacement == "") so is a whole e-mail address
        email = "${email}" if self.emails == "keep" else ""
        template = email + "${wpre}" + self.replacement.replace("$", "$$") + "${post}"
        once = col.str.replace_all(URL_OR_EMAIL, template)
        # A boundary character consumed by one match cannot start the next
        # ('0.be/"www.x.pt'): a second pass catches such adjacent links.
        return once.str.replace_all(URL_OR_EMAIL, template)

    def needs_expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.contains(URL_OR_EMAIL)

    def transform_batch(self, texts: list[str]) -> list[str]:
        import regex

        compiled = regex.compile(URL_OR_EMAIL)
        def sub(m: regex.Match) -> str:
            return m.group("email") or f"{m.group('wpre') or ''}{self.replacement}{m.group('post') or ''}"

        return [compiled.sub(sub, compiled.sub(sub, t)) for t in texts]
