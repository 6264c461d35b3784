"""What rules and routes may test about a message: its fields, an amount, the raw item.

A condition is ``{"path": ..., "op": ..., "value": ...}``. Paths:

- ``content``, ``type``, ``app``, ``source``, ``user``, ``lang``: the message's fields;
- ``amount``: the source's amount field when it maps one (hub.intake), else the
  first money amount written in the content (``¥3,000.00``, ``$450.00``,
  ``金额8000元``, ``128.00元``, ``1.2万元``), else none;
- ``category``: the category decided (only for rules without a category, which
  run after it is decided; see :mod:`hub.rules.classify`);
- ``raw.a.b``: a dotted path into the platform's raw item (``raw.total_price``).

Operators: ``>=``, ``>``, ``<=``, ``<`` (numbers: both sides are read as
decimals, so ``"5000.00"`` in a raw field compares as 5000), ``==`` (numbers
as numbers, otherwise text, case-insensitively), ``in`` (``value`` is an
array; the same equality). A path with no value fails every condition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

OPS = (">=", ">", "<=", "<", "==", "in")
PATHS = ("content", "type", "app", "source", "user", "lang", "amount", "category")
_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# Most specific first: a currency sign, then "金额/amount/total …", then a number followed by a unit.
_AMOUNTS = (
    re.compile(r"[¥￥$]\s?" + _NUMBER + r"\s?(万)?"),
    re.compile(r"(?:金额|实付|总额|总价|合计|amount|total)\s*(?:of|is|为|是|[:：])?\s*(?:RMB|CNY|USD)?\s*" + _NUMBER + r"\s?(万)?\s?(?:元|块钱|RMB|CNY|USD|dollars?|yuan)?(?![A-Za-z])", re.I),
    re.compile(_NUMBER + r"\s?(万)?\s?(?:元|块钱|RMB|CNY|USD|dollars?|yuan)(?![A-Za-z])", re.I),
)


class ConditionError(ValueError):
    pass


@dataclass(frozen=True)
class Money:
    """An amount found in text: its value and the words it was written as (``¥3,000.00``)."""

    value: Decimal
    text: str


def find_amount(text: str) -> Money | None:
    for rx in _AMOUNTS:
        found = rx.search(text)
        if found:
            value = Decimal(found.group(1).replace(",", ""))
            if found.group(2):
                value *= 10000
            # the words as written, from the currency sign or the number on (without "金额")
            start = found.start(0) if rx is _AMOUNTS[0] else found.start(1)
            return Money(value, text[start : found.end(0)].strip())
    return None


# How an amount from a field is said: in Chinese the number then the currency's name,
# in English the currency's sign then the number (the speaker's normaliser reads both).
CURRENCY_ZH = {"CNY": "元", "RMB": "元", "GBP": "英镑", "USD": "美元", "EUR": "欧元", "JPY": "日元", "HKD": "港元", "TWD": "新台币"}
CURRENCY_SIGN = {"CNY": "¥", "RMB": "¥", "GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥"}


def spoken_amount(value: Decimal, currency: str, lang: str) -> str:
    """``50.50英镑`` (zh) or ``£50.50`` (other languages); unknown codes follow the number."""
    number = f"{value:f}"
    code = currency.upper()
    if lang == "zh":
        return number + CURRENCY_ZH.get(code, code)
    if code in CURRENCY_SIGN:
        return CURRENCY_SIGN[code] + number
    return f"{number} {code}".strip()


@dataclass(frozen=True)
class Facts:
    """One message as rules and routes see it. ``amount_field``/``currency``: the amount
    and currency the source mapped from the item's own fields (they beat the content's)."""

    content: str
    type: str = ""
    app: str = ""
    source: str = ""
    user: str = ""
    lang: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    category: str = ""
    amount_field: Decimal | None = None
    currency: str = ""

    @cached_property
    def money(self) -> Money | None:
        if self.amount_field is not None:
            return Money(self.amount_field, spoken_amount(self.amount_field, self.currency, self.lang))
        return find_amount(self.content)

    @property
    def amount(self) -> Decimal | None:
        return self.money.value if self.money else None

    def get(self, path: str) -> Any:
        """The value at ``path``, or None."""
        if path == "amount":
            return self.amount
        if path.startswith("raw."):
            value: Any = self.raw
            for part in path[4:].split("."):
                if isinstance(value, Mapping) and part in value:
                    value = value[part]
                elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                    value = value[int(part)]
                else:
                    return None
            return value
        return getattr(self, path, None) if path in PATHS else None


@dataclass(frozen=True)
class Condition:
    path: str
    op: str
    value: Any

    def holds(self, facts: Facts) -> bool:
        found = facts.get(self.path)
        if found is None or found == "":
            return False
        if self.op == "in":
            return any(_equal(found, v) for v in self.value)
        if self.op == "==":
            return _equal(found, self.value)
        left, right = _number(found), _number(self.value)
        if left is None or right is None:
            return False
        return {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right}[self.op]

    def describe(self) -> str:
        return f"{self.path} {self.op} {self.value}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "op": self.op, "value": self.value}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            return None
    return None


def _equal(found: Any, wanted: Any) -> bool:
    a, b = _number(found), _number(wanted)
    if a is not None and b is not None:
        return a == b
    return str(found).casefold() == str(wanted).casefold()


def parse_conditions(data: object) -> tuple[Condition, ...]:
    """Conditions from their JSON/TOML form, refused with a reason when malformed."""
    if not isinstance(data, list):
        raise ConditionError("conditions must be an array of tables")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise ConditionError(f"condition {i} must be a table with path, op and value")
        unknown = sorted(set(item) - {"path", "op", "value"})
        if unknown:
            raise ConditionError(f"condition {i}: unknown key {unknown[0]!r} (known: op, path, value)")
        path, op, value = item.get("path"), item.get("op"), item.get("value")
        if not isinstance(path, str) or not (path in PATHS or (path.startswith("raw.") and len(path) > 4)):
            raise ConditionError(f"condition {i}: path {path!r} is not one of {', '.join(PATHS)} or raw.<dotted path>")
        if op not in OPS:
            raise ConditionError(f"condition {i}: op {op!r} is not one of {' '.join(OPS)}")
        if op == "in":
            if not isinstance(value, list) or not value or not all(_scalar(v) for v in value):
                raise ConditionError(f"condition {i}: in needs a non-empty array of strings or numbers")
        elif op == "==":
            if not _scalar(value):
                raise ConditionError(f"condition {i}: == needs a string or a number")
        elif _number(value) is None or isinstance(value, str):
            raise ConditionError(f"condition {i}: {op} needs a number")
        out.append(Condition(path, op, value))
    return tuple(out)


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)
