"""Chinese readings of numbers, amounts, ids, times and dates (Mandarin, simplified characters).

Choices, each as natural Mandarin says it:

- **两 or 二.** 两 where a counted 2 stands before a unit: before 千 anywhere
  (两千, 一万两千), before 百 only when it opens the number (两百, but
  一千二百), before 万 and 亿 (两万, 两亿), and the quantity 2 before a
  measure word or currency (两件, 两元, 两点). 二 everywhere else: 二十,
  十二, 一百零二, 二月, 第二, and a bare 2 said as a number. Why: 两 is
  what people say for "two of something" and at the head of 千/万/亿 (二千
  sounds read-out, 二万 is rare); mid-number 二百 (一千二百) is the
  standard form (一千两百 is colloquial), so only a leading 百 takes 两. Amounts count 元, so ¥2 is 两元 and ¥200 两百元.
- **零.** One 零 for each run of zeros inside a number (一千零五, 一万零二十,
  一亿零五十万); trailing zeros are silent (三千).
- **十.** A number that opens with 10–19 says 十 (十五, 十二万); inside a
  number it says 一十 (一百一十, 十万零一十五).
- **Identifiers digit by digit with 幺.** Order numbers, ids and phone
  numbers are read digit by digit with 幺 (yāo) for 1, as Chinese telephone
  operators, couriers and customer service read them: 一 (yī) and 七 (qī)
  differ only in their first consonant, and on a small speaker in a noisy shop
  they are easily confused; 幺 is not. Years keep 一 (一九九九年), as everyone
  says them.
"""

from __future__ import annotations


DIGITS = "零一二三四五六七八九"
ID_DIGITS = "零幺二三四五六七八九"
PAUSE = "，"
DOT = "点"
GLUE = ""
PLUS = "加"
NUMBER_SIGN = ""  # 订单#10023 is 订单幺零零二三
NUMBER_ABBREVIATION = "编号"
MAX_DIGITS = 16  # up to 千万亿; longer integers are read digit by digit

CURRENCY_WORDS = {"CNY": "元", "USD": "美元", "EUR": "欧元", "GBP": "英镑", "HKD": "港元", "JPY": "日元"}
SCALE_WORDS = {"万": "万", "亿": "亿", "千": "千", "k": "千", "K": "千", "M": "百万", "m": "百万"}


def _below_10k(n: int, leading: bool, ordinal: bool) -> str:
    """1 ≤ n ≤ 9999; ``leading`` when these are the number's first digits; ``ordinal`` (after 第): no 两."""
    out: list[str] = []
    zero = started = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out.append("零")
            zero = False
        first = leading and not started
        if digit == 2 and not ordinal and (unit == "千" or (unit == "百" and first)):
            out.append("两")
        elif not (digit == 1 and unit == "十" and first):
            out.append(DIGITS[digit])
        out.append(unit)
        started = True
    return "".join(out)


def _integer(n: int, leading: bool, ordinal: bool = False) -> str:
    for base, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= base:
            high, low = divmod(n, base)
            text = ("两" if high == 2 and not ordinal else _integer(high, leading, ordinal)) + unit
            if low:
                text += ("零" if low < base // 10 else "") + _integer(low, False, ordinal)
            return text
    return _below_10k(n, leading, ordinal) if n else "零"


def cardinal(digits: str, fraction: str | None = None, liang: bool = False, ordinal: bool = False) -> str:
    """``digits`` (ASCII, no separators) and an optional ``fraction`` (the digits after the point).

    ``liang``: the number counts something (a measure word follows), so 2 is 两.
    ``ordinal``: it follows 第, so 2 is never 两 (第二千, not 第两千).
    """
    stripped = digits.lstrip("0") or "0"
    if len(stripped) > MAX_DIGITS:
        head = "".join(DIGITS[int(d)] for d in digits)
    elif liang and stripped == "2" and not fraction:
        head = "两"
    else:
        head = _integer(int(stripped), True, ordinal)
    if fraction:
        head += "点" + "".join(DIGITS[int(d)] for d in fraction)
    return head


def ident(token: str) -> str:
    """An identifier: digits one by one (1 is 幺), letters spelled, runs apart by a space."""
    runs: list[str] = []
    for run in _runs(token):
        if run.isdigit():
            runs.append("".join(ID_DIGITS[int(d)] for d in run))
        else:
            runs.append(" ".join(run.upper()))
    return " ".join(runs)


def _runs(token: str) -> list[str]:
    runs: list[str] = []
    for ch in token:
        if runs and runs[-1][-1].isdigit() == ch.isdigit():
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def year(digits: str) -> str:
    """A year digit by digit, with 一 (二零二六)."""
    return "".join(DIGITS[int(d)] for d in digits)


def time(hour: int, minute: int, second: int | None, meridiem: str | None) -> str:
    """24-hour reading: 十四点零五分, 九点, 两点三十分; ``meridiem`` (am/pm) adds 上午/下午."""
    prefix = ""
    if meridiem:
        prefix = "上午" if meridiem == "am" else "下午"
        hour = hour % 12 or 12
    text = prefix + cardinal(str(hour), liang=True) + "点"
    if minute or second:
        text += (("零" if minute < 10 else "") + cardinal(str(minute)) if minute else "零") + "分"
    if second:
        text += ("零" if second < 10 else "") + cardinal(str(second)) + "秒"
    return text


def date(y: str | None, month: int, day: int | None) -> str:
    """二零二六年十一月二十五日; without a year, 十一月二十五日."""
    text = (year(y) + "年") if y else ""
    text += cardinal(str(month)) + "月"
    if day is not None:
        text += cardinal(str(day)) + "日"
    return text


def money(digits: str, fraction: str | None, code: str, scale: str | None) -> str:
    """An amount: 元角分 for yuan with at most two decimals, else the number, a point, and the currency."""
    unit = CURRENCY_WORDS.get(code, code)
    digits = digits.lstrip("0") or "0"
    if scale:
        return cardinal(digits, fraction, liang=True) + SCALE_WORDS[scale] + unit
    fraction = (fraction or "").rstrip("0") or None
    if code != "CNY" or (fraction and len(fraction) > 2) or len(digits.lstrip("0")) > MAX_DIGITS:
        return cardinal(digits, fraction, liang=True) + unit
    jiao = int(fraction[0]) if fraction else 0
    fen = int(fraction[1]) if fraction and len(fraction) > 1 else 0
    whole = int(digits)
    parts = []
    if whole or not (jiao or fen):
        parts.append(cardinal(digits, liang=True) + "元")
    if jiao:
        parts.append(cardinal(str(jiao), liang=True) + "角")
    if fen:
        if parts and not jiao:
            parts.append("零")
        parts.append(cardinal(str(fen), liang=True) + "分")
    return "".join(parts)


def negative(words: str) -> str:
    return "负" + words


def percent(words: str, permille: bool) -> str:
    return ("千分之" if permille else "百分之") + words


def degrees(words: str) -> str:
    return words + "摄氏度"


def ordinal(digits: str) -> str:
    return "第" + cardinal(digits, ordinal=True)


def fraction(numerator: str, denominator: str) -> str:
    return cardinal(denominator) + "分之" + cardinal(numerator)


def ratio(left: str, right: str) -> str:
    return cardinal(left) + "比" + cardinal(right)


def span(low: str, high: str) -> str:
    return low + "到" + high
