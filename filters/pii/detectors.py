"""Where personal data sits in a text: emails, phone numbers, IP addresses, payment cards, IBANs and
Portuguese / Brazilian tax numbers, each confirmed by its own rule before it counts.

A pattern only proposes a span; a validator decides: payment cards pass Luhn
and a known issuer prefix, IBANs pass ISO 13616's mod-97 and their country's
length, NIF, CPF and CNPJ pass their check digits, IP addresses parse with
:mod:`ipaddress`. Look-alikes stay untouched: ``casa.Ele``, ``3.5``,
``1.000.000``, dates, times, prices, version numbers, numbers that fail their
checksum. A bare 9-digit NIF, or an 11- or 14-digit CPF or CNPJ without its
punctuation, counts only after its name (``NIF 123456789``): without it, any
number would be a candidate.

>>> text = "Escreva para ana.silva@exemplo.pt ou ligue 912 345 678."
>>> [(text[s:e], kind) for s, e, kind in find_pii(text)]
[('ana.silva@exemplo.pt', 'EMAIL'), ('912 345 678', 'PHONE')]
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable

__all__ = ["PII_TYPES", "find_pii", "luhn_valid", "iban_valid", "nif_valid", "cpf_valid", "cnpj_valid"]

PII_TYPES = ("EMAIL", "PHONE", "IP_ADDRESS", "CARD", "IBAN", "NIF", "CPF", "CNPJ")

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)351[ .-]?(?:9[1236]\d|2\d{2})[ .-]?\d{3}[ .-]?\d{3}"          # Portugal, international
    r"|(?:9[1236]\d)[ ]?\d{3}[ ]?\d{3}"                                         # Portugal, mobile
    r"|2\d{2} \d{3} \d{3}"                                                      # Portugal, landline grouped
    r"|(?:(?:\+|00)55[ .-]?)?\(\d{2}\)[ ]?9?\d{4}[ -]?\d{4}"                    # Brazil, (DD) area code
    r"|(?:\+|00)55[ .-]?\d{2}[ .-]?9?\d{4}[ -]?\d{4}"                           # Brazil, international
    r"|\d{2} 9\d{4}[ -]?\d{4}"                                                 # Brazil, DD 9XXXX-XXXX
    r"|(?:\+|00)(?!351|55)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}"              # elsewhere, international
    r")(?![\w])"
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w])(?!\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_CARD = re.compile(r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w.,-]?\d)")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}(?![\w])")
_NIF = re.compile(r"(?i:\b(?:NIF|NIPC|contribuinte|n\.?º? (?:de )?contribuinte)\b)[^\d\n]{0,12}(\d{3}[ .]?\d{3}[ .]?\d{3})(?!\d)")
_CPF = re.compile(r"(?<![\w.])(\d{3}\.\d{3}\.\d{3}-\d{2})(?![\w.-]?\d)"
                  r"|(?i:\bCPF\b)[^\d\n]{0,12}(\d{11})(?!\d)")
_CNPJ = re.compile(r"(?<![\w.])(\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2})(?![\w.-]?\d)"
                   r"|(?i:\bCNPJ\b)[^\d\n]{0,12}(\d{14})(?!\d)")
_VERSION_BEFORE = re.compile(r"(?i:v|vers[aã]o|version|release)\s*$")

#: IBAN lengths of the countries users meet most; other countries: 15-34 characters
_IBAN_LENGTH = {"PT": 25, "BR": 29, "ES": 24, "FR": 27, "DE": 22, "IT": 27, "GB": 22, "NL": 18, "BE": 16,
                "IE": 22, "LU": 20, "CH": 21, "AT": 20, "PL": 28, "AO": 25, "MZ": 25, "CV": 25}
#: payment-card issuer prefixes (Visa, Mastercard, American Express, Discover, Diners, JCB, Maestro, Elo)
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|65|64[4-9]|3(?:0[0-5]|[689])|35"
                          r"|5[06-9]|6[0-9]|636368|438935|504175|451416|636297|5067|4576|4011)")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def luhn_valid(number: str) -> bool:
    """The Luhn checksum of payment cards.

    >>> luhn_valid("4111 1111 1111 1111"), luhn_valid("4111 1111 1111 1112")
    (True, False)
    """
    digits = [int(d) for d in _digits(number)]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616: the country's length and mod-97 == 1.

    >>> iban_valid("PT50 0002 0123 1234 5678 9015 4"), iban_valid("PT50 0002 0123 1234 5678 9015 5")
    (True, False)
    """
    compact = iban.replace(" ", "").upper()
    country = compact[:2]
    expected = _IBAN_LENGTH.get(country)
    if (expected is not None and len(compact) != expected) or not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def nif_valid(nif: str) -> bool:
    """The check digit of a Portuguese NIF / NIPC (mod 11).

    >>> nif_valid("123456789"), nif_valid("123456780")
    (True, False)
    """
    digits = [int(d) for d in _digits(nif)]
    if len(digits) != 9 or digits[0] not in (1, 2, 3, 5, 6, 7, 8, 9):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1)))
    check = 11 - total % 11
    return digits[8] == (0 if check >= 10 else check)


def _mod11_digit(digits: list[int], weights: Iterable[int]) -> int:
    rest = sum(d * w for d, w in zip(digits, weights)) % 11
    return 0 if rest < 2 else 11 - rest


def cpf_valid(cpf: str) -> bool:
    """The two check digits of a Brazilian CPF (repeated digits are never valid).

    >>> cpf_valid("529.982.247-25"), cpf_valid("529.982.247-24"), cpf_valid("111.111.111-11")
    (True, False, False)
    """
    digits = [int(d) for d in _digits(cpf)]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    return (digits[9] == _mod11_digit(digits[:9], range(10, 1, -1))
            and digits[10] == _mod11_digit(digits[:10], range(11, 1, -1)))


def cnpj_valid(cnpj: str) -> bool:
    """The two check digits of a Brazilian CNPJ.

    >>> cnpj_valid("11.222.333/0001-81"), cnpj_valid("11.222.333/0001-82")
    (True, False)
    """
    digits = [int(d) for d in _digits(cnpj)]
    if len(digits) != 14 or len(set(digits)) == 1:
        return False
    first = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    return digits[12] == _mod11_digit(digits[:12], first) and digits[13] == _mod11_digit(digits[:13], [6, *first])


def _ipv4(text: str, match: re.Match) -> bool:
    if _VERSION_BEFORE.search(text[max(0, match.start() - 10):match.start()]):
        return False
    try:
        ipaddress.IPv4Address(match.group(0))
    except ValueError:
        return False
    return True


def _ipv6(_: str, match: re.Match) -> bool:
    candidate = match.group(0)
    if candidate.count(":") < 2 or not any(ch in "abcdefABCDEF" for ch in candidate) and "::" not in candidate:
        return False  # times (12:30:45) and ratios: an address has hex digits or a "::"
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _card(_: str, match: re.Match) -> bool:
    digits = _digits(match.group(0))
    return 13 <= len(digits) <= 19 and bool(_CARD_PREFIX.match(digits)) and luhn_valid(digits)


def _phone(_: str, match: re.Match) -> bool:
    return 8 <= len(_digits(match.group(0))) <= 15


#: (type, pattern, validator, the group that holds the value: 0 = the whole match)
_RULES: list[tuple[str, re.Pattern, Callable[[str, re.Match], bool] | None]] = [
    ("EMAIL", _EMAIL, None),
    ("IBAN", _IBAN, lambda _, m: iban_valid(m.group(0))),
    ("CNPJ", _CNPJ, lambda _, m: cnpj_valid(m.group(m.lastindex or 0))),
    ("CPF", _CPF, lambda _, m: cpf_valid(m.group(m.lastindex or 0))),
    ("NIF", _NIF, lambda _, m: nif_valid(m.group(1))),
    ("CARD", _CARD, _card),
    ("IP_ADDRESS", _IPV4, _ipv4),
    ("IP_ADDRESS", _IPV6, _ipv6),
    ("PHONE", _PHONE, _phone),
]


def find_pii(text: str, types: Iterable[str] = PII_TYPES) -> list[tuple[int, int, str]]:
    """``(start, end, type)`` of every confirmed piece of personal data in ``text``, left to right.

    Earlier rules win where spans overlap (an IBAN's digits are not also a card).
    """
    wanted = set(types)
    taken: list[tuple[int, int, str]] = []
    for kind, pattern, valid in _RULES:
        if kind not in wanted:
            continue
        for match in pattern.finditer(text):
            group = match.lastindex or 0 if kind in ("NIF", "CPF", "CNPJ") else 0
            start, end = match.span(group)
            if any(start < e and s < end for s, e, _ in taken):
                continue
            if valid is None or valid(text, match):
                taken.append((start, end, kind))
    return sorted(taken)
