"""reject_invalid_chars: Unicode classes Cc/Co/Cn + U+FFFD; emoji are valid."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RejectInvalidChars

TOLD_FFFD = "porra maluca dar um jeito na vida,larga esse lixo pra l谩,n茫o te merece 鈥\ufffd descartei o 馃棏 https://t.co/arizrej88w"


@pytest.mark.parametrize(
    "text",
    ["\x00\x01binary\x02", "n\ufffdo \ufffd\ufffd", "ícone \ue000\ue001", "x\u0378\u0379", "a\x7f\x1b[0m"],
)
def test_rejects(text):
    assert RejectInvalidChars().reason(text) == "invalid_chars"


@pytest.mark.parametrize(
    "text",
    [
        "que lindo 😍🇧🇷 👨‍👩‍👧 ❤️",
        "tab\tnewline\ncr\r\n",
        "símbolos © ® ™ € ½ → ✓",
        "soft\u00adhyphen and zero\u200bwidth",  # Cf: repair_unicode's job, not invalid
        TOLD_FFFD,  # one U+FFFD in a long tweet: below 5 %
        "",
    ],
)
def test_keeps(text):
    assert RejectInvalidChars().reason(text) is None


def test_max_ratio():
    assert RejectInvalidChars(max_ratio=0).reason(TOLD_FFFD) == "invalid_chars"
    with pytest.raises(ValueError):
        RejectInvalidChars(max_ratio=1.5)
