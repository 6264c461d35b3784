"""English readings of numbers, amounts, ids, times and dates (American, as the bundled voice speaks).

Cardinals have no "and" (one hundred twenty-eight); identifiers are read
digit by digit with "zero" (clearer than "oh" next to other digits); times
are said on the 12-hour clock with AM/PM (two oh five PM), dates as
"November twenty-fifth, twenty twenty-six".
"""

from __future__ import annotations


ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, ""))
MAX_DIGITS = 15  # up to hundreds of trillions; longer integers are read digit by digit
PAUSE = ", "
DOT = " dot "
GLUE = " "
PLUS = "plus "
NUMBER_SIGN = "number "
NUMBER_ABBREVIATION = "number "
MONTHS = (
    "_ January February March April May June July August September October November December"
).split()
IRREGULAR_ORDINALS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}
# code: (one, many, cent, cents); a cent name of None reads decimals with "point".
CURRENCIES: dict[str, tuple[str, str, str | None, str | None]] = {
    "USD": ("dollar", "dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "HKD": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "CNY": ("yuan", "yuan", None, None),
    "JPY": ("yen", "yen", None, None),
}
SCALE_WORDS = {"万": "ten thousand", "亿": "hundred million", "千": "thousand", "k": "thousand",
               "K": "thousand", "M": "million", "m": "million"}


def _below_1000(n: int) -> list[str]:
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [ONES[hundreds], "hundred"]
    if rest:
        words.append(ONES[rest] if rest < 20 else TENS[rest // 10] + (f"-{ONES[rest % 10]}" if rest % 10 else ""))
    return words


def _integer(n: int) -> str:
    if n == 0:
        return "zero"
    words: list[str] = []
    for value, name in SCALES:
        chunk = n // value % 1000
        if chunk:
            words += _below_1000(chunk) + ([name] if name else [])
    return " ".join(words)


def cardinal(digits: str, fraction: str | None = None, liang: bool = False, ordinal: bool = False) -> str:
    """``digits`` (ASCII, no separators) and optional ``fraction`` digits: "three point one four".

    ``liang`` and ``ordinal`` are for Chinese (两 or 二); English ignores them.
    """
    stripped = digits.lstrip("0") or "0"
    if len(stripped) > MAX_DIGITS:
        head = " ".join(ONES[int(d)] for d in digits)
    else:
        head = _integer(int(stripped))
    if fraction:
        head += " point " + " ".join(ONES[int(d)] for d in fraction)
    return head


def ident(token: str) -> str:
    """An identifier: digits one by one, letters spelled, all apart by spaces."""
    return " ".join(ONES[int(ch)] if ch.isdigit() else ch.upper() for ch in token)


def ordinal(digits: str) -> str:
    """``"22"`` → "twenty-second"."""
    words = cardinal(digits)
    head, sep, last = words.rpartition(" ")
    first, hyphen, unit = last.rpartition("-")
    if unit in IRREGULAR_ORDINALS:
        unit = IRREGULAR_ORDINALS[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return head + sep + first + hyphen + unit


def year(digits: str) -> str:
    """2026 → "twenty twenty-six", 2005 → "two thousand five", 1900 → "nineteen hundred"."""
    y = int(digits)
    if len(digits) != 4 or 2000 <= y <= 2009:
        return cardinal(digits)
    century, rest = divmod(y, 100)
    if rest == 0:
        return f"{_integer(century)} hundred"
    if rest < 10:
        return f"{_integer(century)} oh {ONES[rest]}"
    return f"{_integer(century)} {_integer(rest)}"


def time(hour: int, minute: int, second: int | None, meridiem: str | None) -> str:
    """12-hour reading: "two oh five PM", "nine AM", "twelve thirty AM"."""
    mark = (meridiem or ("am" if hour < 12 else "pm")).upper()
    words = [_integer(hour % 12 or 12)]
    if minute:
        words.append(("oh " if minute < 10 else "") + _integer(minute))
    words.append(mark)
    if second:
        words.append(f"and {_integer(second)} second" + ("s" if second != 1 else ""))
    return " ".join(words)


def date(y: str | None, month: int, day: int | None) -> str:
    """"November twenty-fifth, twenty twenty-six"."""
    text = MONTHS[month]
    if day is not None:
        text += " " + ordinal(str(day))
    if y:
        text += ", " + year(y)
    return text


def money(digits: str, fraction: str | None, code: str, scale: str | None) -> str:
    """"four hundred fifty dollars", "eighty-nine dollars and ninety cents", "one point five yuan"."""
    one, many, cent, cents = CURRENCIES.get(code, (code, code, None, None))
    digits = digits.lstrip("0") or "0"
    if scale:
        return f"{cardinal(digits, fraction)} {SCALE_WORDS[scale]} {many}"
    fraction = (fraction or "").rstrip("0") or None
    if cent is None or cents is None or (fraction and len(fraction) > 2) or len(digits) > MAX_DIGITS:
        return f"{cardinal(digits, fraction)} {one if digits == '1' and not fraction else many}"
    minor = int((fraction or "").ljust(2, "0"))
    parts = []
    if digits != "0" or not minor:
        parts.append(f"{cardinal(digits)} {one if digits == '1' else many}")
    if minor:
        parts.append(f"{_integer(minor)} {cent if minor == 1 else cents}")
    return " and ".join(parts)


def negative(words: str) -> str:
    return "minus " + words


def percent(words: str, permille: bool) -> str:
    return words + (" per mille" if permille else " percent")


def degrees(words: str) -> str:
    return words + " degrees Celsius"


def fraction(numerator: str, denominator: str) -> str:
    return f"{cardinal(numerator)} over {cardinal(denominator)}"


def ratio(left: str, right: str) -> str:
    return f"{cardinal(left)} to {cardinal(right)}"


def span(low: str, high: str) -> str:
    return f"{low} to {high}"
