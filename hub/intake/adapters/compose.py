"""A message field composed from several item fields, and an amount read from one.

A ``fields`` value holding ``{`` is a template: ``"客户{shipping_address.last_name}{shipping_address.first_name}提交了订单{number}"``.
Each placeholder is a dotted path into the platform's item (as for a plain
path); ``{{`` and ``}}`` are literal braces. A placeholder the item does not
have makes the item a reject whose reason names the placeholder and the field
to fix, never a sentence with a hole in it.
"""

from __future__ import annotations

import string
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_AMOUNT = Decimal("999999999999.99")


class TemplateFieldError(ValueError):
    pass


def is_template(value: str) -> bool:
    return "{" in value or "}" in value


def placeholders(template: str) -> list[str]:
    """The paths a field template names; TemplateFieldError says what is wrong with it."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateFieldError(f"{exc} (write {{{{ and }}}} for literal braces)") from None
    names = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.strip() or any(c in name for c in "[] "):
            raise TemplateFieldError(f"{{{name}}} is not a dotted path into the item, like {{shipping_address.last_name}}")
        if spec or conversion:
            raise TemplateFieldError(f"{{{name}}} takes no format or conversion")
        names.append(name)
    if not names:
        raise TemplateFieldError("names no field: a template needs at least one {path}")
    return names


def compose(raw: dict[str, Any], template: str, name: str, dig: Any) -> str:
    """``template`` filled from ``raw``; ValueError names a missing or unusable placeholder."""
    out = []
    for literal, path, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if path is None:
            continue
        value = dig(raw, path)
        if value is None or value == "":
            raise ValueError(f"{name} template: the item has no {{{path}}} (fix fields.{name} or the platform's data)")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(f"{name} template: {{{path}}} must be text or a number, not {type(value).__name__}")
        out.append(str(value).strip())
    return "".join(out)


def read_amount(value: Any, path: str) -> Decimal | None:
    """An amount field (``"50.50"``, ``50.5``, ``"1,299.00"``) as a Decimal; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"amount ({path}) must be a number or numeric text, not {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"amount ({path}) {value!r} is not a number") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ValueError(f"amount ({path}) {value!r} is not an amount up to {MAX_AMOUNT}")
    return amount.quantize(Decimal("0.01"))


def read_currency(value: Any, path: str) -> str:
    """A currency code (``GBP``); "" when absent."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not value.strip().isalpha() or len(value.strip()) > 8:
        raise ValueError(f"currency ({path}) {value!r} is not a currency code like GBP or CNY")
    return value.strip().upper()
