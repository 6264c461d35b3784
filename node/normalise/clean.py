"""Input tidying before numbers are read: one form for every digit, sign and space, no control characters."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # \d is any Unicode decimal digit: １, ١, ४ …
# Full-width letters and the signs that matter in numbers, to ASCII. Chinese
# punctuation (，：；！？（）) stays: it is punctuation, and the voice pauses on it.
_WIDE: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)}
_WIDE.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_WIDE.update({ord(a): b for a, b in zip("＄％＃＋－／＠＆", "$%#+-/@&")})
_WIDE.update({0x2212: "-", 0xFF5E: "~", 0x301C: "~", 0x00A0: " ", 0x2009: " ", 0x202F: " "})
_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s?([．：–—])\s?(?=\d)")
_BETWEEN = {"．": ".", "：": ":", "–": "-", "—": "-"}


def clean(text: str) -> str:
    """``text`` with control characters as spaces, invisible ones gone, any script's digits as ASCII.

    Also full-width letters and number signs (＄％＃＋－／) as ASCII, and
    ．：– — between two digits as . : - (14：05 is a time). Line breaks stay.
    """
    text = _CONTROL.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)
    text = text.translate(_WIDE)
    return _BETWEEN_DIGITS.sub(lambda m: _BETWEEN[m.group(1)], text)
