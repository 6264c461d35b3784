"""The token patterns the scanner looks for, in priority order (the first that matches at a place wins).

Each pattern names its parts; :data:`SCANNER` joins them all into one
expression (names stripped); the handler matches the pattern's own expression
at the same place to read the parts. Every pattern is linear: no nested
repetition, so a hostile text costs time in proportion to its length.
"""

from __future__ import annotations

import re


def num(tag: str = "") -> str:
    """A number as written: 1,280.50, 3000, 0.5 (groups int{tag} and frac{tag})."""
    return rf"(?P<int{tag}>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.(?P<frac{tag}>\d+))?"


_FREE = r"(?<![0-9A-Za-z.,])"  # a token starts here, not inside a word or a number
_SIGN = r"(?P<neg>(?<![0-9A-Za-z.,\-])-\s?)?"
_CURRENCY_SIGN = r"US\$|HK\$|RMB|CNY|USD|EUR|GBP|HKD|JPY|[¥￥$€£]"
_CURRENCY_WORD = (
    r"元|人民币|美元|欧元|英镑|港元|港币|日元|RMB|CNY|USD|EUR|GBP|HKD|JPY|dollars?|yuan|euros?|pounds?"
)
_MONTH = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_UNIT_AFTER_SIGN = r"元|人民币|美元|欧元|英镑|港元|港币|日元|dollars?|yuan|euros?"  # ¥128元, $5 dollars
_SCALE = r"(?P<scale>[万亿千]|[kKM](?![A-Za-z]))"

PATTERNS: dict[str, str] = {
    "iso_datetime": (
        r"(?<![0-9A-Za-z.])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2})"
        r"(?::(?P<s>\d{2})(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?(?![0-9A-Za-z])"
    ),
    "date_dash": r"(?<![0-9A-Za-z.])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![0-9]|\.\d|-\d)",
    "date_slash": r"(?<![0-9A-Za-z./])(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![0-9/])",
    "date_dot": r"(?<![0-9A-Za-z.])(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})(?![0-9]|\.\d)",
    "date_mdy": r"(?<![0-9A-Za-z./])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?![0-9/])",
    "month_day": (
        rf"(?<![A-Za-z])(?P<mon>{_MONTH})\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![0-9A-Za-z])"
        r"(?:,?\s(?P<y>\d{4})(?![0-9]))?"
    ),
    "time_span": (
        r"(?<![0-9:.])(?P<h>\d{1,2}):(?P<m>\d{2})\s?[-~]\s?(?P<h2>\d{1,2}):(?P<m2>\d{2})(?![0-9:])"
    ),
    "time": (
        r"(?<![0-9:.])(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?![0-9:])"
        r"(?:\s?(?P<mer>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    ),
    "phone_plus": r"(?<![0-9A-Za-z+])\+(?P<tok>\d{1,3}(?:[- ]\d{1,11}){1,5}|\d{7,15})(?![0-9A-Za-z])",
    "phone_area": r"(?<![0-9A-Za-z])\((?P<a>\d{2,4})\)\s?(?P<b>\d{3,4})[- ]?(?P<c>\d{4})(?![0-9])",
    "landline": r"(?<![0-9A-Za-z])(?P<a>0\d{2,3})-(?P<b>\d{3,4})(?P<c>\d{4})(?![0-9])",
    "mobile": r"(?<![0-9A-Za-z])(?P<a>1[3-9]\d)[- ]?(?P<b>\d{4})[- ]?(?P<c>\d{4})(?![0-9])",
    "money_before": (
        rf"(?<![0-9A-Za-z])(?P<neg>-\s?)?(?P<cur>{_CURRENCY_SIGN})\s?(?P<neg2>-)?{num()}"
        rf"(?:\s?{_SCALE})?(?:\s?(?P<word>{_UNIT_AFTER_SIGN})(?![A-Za-z]))?"
    ),
    "money_after": rf"{_FREE}{_SIGN}{num()}\s?(?:{_SCALE}\s?)?(?P<cur>{_CURRENCY_WORD})(?![A-Za-z])",
    "percent": rf"{_FREE}{_SIGN}{num()}\s?(?P<sign>[%‰])",
    "degrees": rf"{_FREE}{_SIGN}{num()}\s?(?:℃|°C|°)",
    "ordinal": r"(?<![0-9A-Za-z.,])(?P<int>\d+)(?P<suffix>st|nd|rd|th)(?![A-Za-z])",
    "number_word": r"(?:(?<![A-Za-z])(?:No|NO|no)\.|№)\s?(?=\d)",
    "hash": r"[#]\s?(?=\d)",
    "upper_id": r"(?<![0-9A-Za-z])(?P<tok>[A-Z]{1,4}[-_]?\d[0-9A-Z]*(?:[-_][0-9A-Z]+)*)(?![0-9A-Za-z]|\.\d)",
    "masked": r"(?<![0-9A-Za-z])(?P<a>\d{2,})(?P<mask>[*＊]{2,})(?P<b>\d{2,})(?![0-9])",  # 138****5678
    "mixed_id": r"(?<![0-9A-Za-z])(?P<tok>\d+[A-Z]+\d[0-9A-Z]*)(?![0-9A-Za-z])",  # 1Z999AA10123456784
    "dotted": r"(?<![0-9.])(?P<tok>\d+(?:\.\d+){2,})(?![0-9])",
    "groups": r"(?<![0-9A-Za-z.,\-])(?P<tok>\d+(?:[-_/]\d+)+)(?![0-9]|\.\d)",
    "ratio": r"(?<![0-9:.])(?P<a>\d+):(?P<b>\d+)(?![0-9:])",
    "span": rf"{_FREE}{num()}\s?(?:~|-(?=\d+\.\d))\s?{num('2')}",
    "number": rf"{_SIGN}(?<![0-9]){num()}",
}

COMPILED = {name: re.compile(pattern) for name, pattern in PATTERNS.items()}
# Every pattern starts with one of these: looking for them first lets the
# scanner pass over the rest of the text quickly.
_STARTS = r"(?=[0-9#+(¥￥$€£A-Za-z№\-])"
_UNNAMED = {name: re.sub(r"[(][?]P<[a-z0-9]+>", "(?:", pattern) for name, pattern in PATTERNS.items()}
SCANNER = re.compile(_STARTS + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _UNNAMED.items()) + ")")
