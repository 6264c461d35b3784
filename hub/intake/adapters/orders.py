"""Reading a shop platform's order object strictly, and saying it as one sentence.

Each reader raises ValueError naming the field, so a malformed order becomes a
quarantined reject with its reason, never a half-read message.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .generic import parse_time

# Message.platform_type per order event; hub/defaults.toml's type rules read
# "*.refund*" as a refund and the other "order.*" as an order.
CREATED = "order.created"
REFUNDED = "order.refunded"
CANCELLED = "order.cancelled"
FAILED = "order.failed"

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def an_object(raw: Any, what: str = "order") -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{what} must be an object, not {type(raw).__name__}")
    return raw


def optional_object(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be an object, not {type(value).__name__}")
    return value


def an_id(raw: dict[str, Any], key: str, required: bool = True) -> str:
    """A positive integer id (or its digits as text); "" for an absent optional one, or 0 (a guest)."""
    value = raw.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (required and value == 0):
        what = "missing" if value is None else f"{value!r}, not a positive whole number"
        raise ValueError(f"{key} is {what}")
    return str(value) if value else ""


def a_time(raw: dict[str, Any], key: str) -> datetime:
    """A required ISO 8601 time (no offset means UTC, as WooCommerce's ``*_gmt`` fields are)."""
    value = raw.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} is {'missing' if value is None else type(value).__name__ + ', not a time'}")
    try:
        return parse_time(value)
    except ValueError:
        raise ValueError(f"{key} {value!r} is not an ISO 8601 time") from None


def text(raw: dict[str, Any], key: str, max_len: int = 100, where: str = "") -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{where}{key} must be text, not {type(value).__name__}")
    result = str(value).strip()
    if len(result) > max_len:
        raise ValueError(f"{where}{key} is {len(result)} characters long (at most {max_len})")
    return result


def amount(raw: dict[str, Any], key: str) -> str:
    """A money amount as the platform wrote it ("89.90"); a number is accepted too."""
    value = raw.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        try:
            if Decimal(value.strip()).is_finite():
                return value.strip()
        except InvalidOperation:
            pass
        raise ValueError(f"{key} {value!r} is not an amount")
    raise ValueError(f"{key} is {'missing' if value is None else type(value).__name__ + ', not an amount'}")


def person(holder: dict[str, Any], where: str) -> str:
    """"First Last" from ``first_name``/``last_name``; Chinese, Japanese, Korean names family name first."""
    first = text(holder, "first_name", where=where)
    last = text(holder, "last_name", where=where)
    if _CJK.search(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def sentence(event: str, number: str, who: str, total: str, currency: str, partly: bool = False) -> str:
    """The message content staff hear: "New order #1234 from Jane Doe, total 89.90 USD"."""
    who = who or "a guest"
    money = f"total {total} {currency}".rstrip()
    if event == REFUNDED:
        return f"Order {number} from {who} {'partially ' if partly else ''}refunded, {money}"
    if event == CANCELLED:
        return f"Order {number} from {who} cancelled, {money}"
    if event == FAILED:
        return f"Order {number} from {who} failed, {money}"
    return f"New order {number} from {who}, {money}"
