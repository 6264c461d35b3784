"""Currencies as written on the platform (signs, codes, words) and :func:`say_amount`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import en, zh
from .reader import Reader, amount as amount_words

# Every way a currency is written, to its ISO code. ¥ is the yuan: ShopCrier's
# shops are Chinese, and a yen amount is written JPY or 日元.
CURRENCIES = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "yuan": "CNY",
    "$": "USD", "US$": "USD", "USD": "USD", "美元": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "EUR": "EUR", "欧元": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "GBP": "GBP", "英镑": "GBP", "pound": "GBP", "pounds": "GBP",
    "HK$": "HKD", "HKD": "HKD", "港元": "HKD", "港币": "HKD",
    "JPY": "JPY", "日元": "JPY", "yen": "JPY",
}
READERS: dict[str, Reader] = {"zh": zh, "en": en}


def currency_code(name: str) -> str:
    """The ISO code for a sign, code or word (``"¥"``, ``"rmb"``, ``"美元"``); ValueError if unknown."""
    code = CURRENCIES.get(name) or CURRENCIES.get(name.upper()) or CURRENCIES.get(name.lower())
    if code is None:
        raise ValueError(f"unknown currency {name!r}: use one of {', '.join(sorted(set(CURRENCIES.values())))}")
    return code


def say_amount(amount: Decimal | int | str, currency: str = "CNY", lang: str = "zh") -> str:
    """The words for an amount of money, as a shop speaker says it.

    ``amount`` is the platform's amount field (a Decimal, an int or a decimal
    string; never a float, whose binary rounding would be spoken);
    ``currency`` a code, sign or word (see :data:`CURRENCIES`); ``lang`` a
    language code whose primary part is ``zh`` or ``en``. Examples:
    ``say_amount(Decimal("1280.50"), "CNY", "zh")`` → 一千二百八十元五角,
    ``say_amount(Decimal("450"), "USD", "en")`` → "four hundred fifty dollars".

    Raises ValueError (one line naming the problem) for an amount that is not
    a finite number (or is 10^18 or more), an unknown currency or a language other than zh and en.
    """
    if isinstance(amount, float):
        raise ValueError(f"amount {amount!r} is a float: pass a Decimal or a string")
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError):
        raise ValueError(f"amount {amount!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"amount {amount!r} is not a finite number")
    if value.adjusted() >= 18:
        raise ValueError(f"amount {amount!r} is too large to be money")
    code = currency_code(currency)
    reader = READERS.get(lang.split("-")[0].split("_")[0].lower())
    if reader is None:
        raise ValueError(f"cannot say amounts in {lang!r}: only zh and en")
    return amount_words(reader, value, code)
