"""What the database and Python can hold: the one check every value passes before a transaction.

A value the database refuses (PostgreSQL: a NUL in text or JSON, text longer
than its ``varchar``, an integer past its column) fails the whole transaction
it is in, so one bad item would take its page, batch or heartbeat flush down
with it. A time whose conversion to UTC leaves the years 1..9999 cannot be
stored by Django at all, and one PostgreSQL keeps but Python cannot read
breaks every page that shows it. :func:`problem` finds all of these on an
unsaved model instance, naming the field, so the caller can quarantine or drop
that one item and store the rest.

The rules are the same on every database (a NUL is refused on SQLite too, and
an integer is held to the standard SQL range SQLite does not enforce), so a
poison item behaves alike everywhere. Lengths come from each field's own
``max_length`` and integer ranges from Django's backends, never from numbers
written here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

# A stored instant must be shown in any time zone (±14 h) without leaving Python's
# years 1..9999, so the first and last day of the calendar are out of bounds.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC) - timedelta(microseconds=1)
SHOWN = 40  # characters of a bad value quoted in a reason


class Unstorable(ValueError):
    """``field`` holds a value the database (or Python reading it back) cannot keep."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


def text_flaw(text: str) -> str:
    """Why ``text`` cannot be stored as text (a NUL, a lone surrogate); "" when it can."""
    nul = text.find("\x00")
    if nul >= 0:
        return f"holds a NUL character at position {nul}"
    try:
        text.encode("utf-8")  # in C: only a lone surrogate makes it fail
    except UnicodeEncodeError as exc:
        return f"holds an unpaired surrogate (\\u{ord(text[exc.start]):04x}) at position {exc.start}"
    return ""


def check_text(name: str, value: str, max_length: int | None = None) -> None:
    why = text_flaw(value)
    if why:
        raise Unstorable(name, why)
    if max_length is not None and len(value) > max_length:
        raise Unstorable(name, f"is {len(value)} characters long (the column holds {max_length})")


def check_time(name: str, value: datetime) -> None:
    """An aware time within the calendar in UTC and in every time zone; a naive one is read as UTC."""
    try:
        utc = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    except OverflowError:
        raise Unstorable(name, f"{value.isoformat()} falls outside the years 1..9999 in UTC") from None
    if not EARLIEST <= utc <= LATEST:
        raise Unstorable(name, f"{value.isoformat()} is too close to the ends of the calendar to show in every time zone")


def check_int(name: str, value: int, low: int | None, high: int | None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        raise Unstorable(name, f"{value} is outside the column's range {low}..{high}")


def check_json(name: str, value: Any) -> None:
    """Strings (keys too) without NUL or lone surrogates, finite numbers: what PostgreSQL's jsonb takes."""
    stack: list[tuple[str, Any]] = [(name, value)]
    while stack:
        path, inner = stack.pop()
        if isinstance(inner, str):
            check_text(path, inner)
        elif isinstance(inner, float) and not math.isfinite(inner):
            raise Unstorable(path, f"is {inner}, which JSON cannot hold")
        elif isinstance(inner, dict):
            for key, item in inner.items():
                check_text(f"a key in {path}", str(key))
                stack.append((f"{path}.{key}", item))
        elif isinstance(inner, (list, tuple)):
            stack.extend((f"{path}.{i}", item) for i, item in enumerate(inner))


def integer_range(internal_type: str) -> tuple[int | None, int | None]:
    """The column's range on this database and on the standard SQL one Django knows, whichever is narrower:
    SQLite takes 64 bits anywhere, but an item must not be storable on one database and poison on another."""
    low, high = connection.ops.integer_field_range(internal_type)
    portable = BaseDatabaseOperations.integer_field_ranges.get(internal_type)
    if portable is not None:
        low = portable[0] if low is None else max(low, portable[0])
        high = portable[1] if high is None else min(high, portable[1])
    return low, high


def check_field(field: models.Field[Any, Any], value: Any) -> None:
    """Check one value against the column ``field`` describes; None passes (nullability is the model's business)."""
    if value is None:
        return
    name = field.name
    if isinstance(field, models.JSONField):
        check_json(name, value)
    elif isinstance(value, str) and isinstance(field, (models.CharField, models.TextField)):
        check_text(name, value, field.max_length)
    elif isinstance(value, datetime) and isinstance(field, models.DateTimeField):
        check_time(name, value)
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(field, models.IntegerField):
        low, high = integer_range(field.get_internal_type())
        check_int(name, value, low, high)


def check(instance: models.Model, skip: Iterable[str] = ()) -> None:
    """Raise :class:`Unstorable` for the first field of ``instance`` its table cannot hold."""
    skipped = set(skip)
    for field in instance._meta.concrete_fields:
        if field.name in skipped or field.is_relation:
            continue
        check_field(field, getattr(instance, field.attname))


def problem(instance: models.Model, skip: Iterable[str] = ()) -> str:
    """Why ``instance`` cannot be stored, naming the field; "" when it can."""
    try:
        check(instance, skip)
    except Unstorable as exc:
        return str(exc)
    return ""


def max_length(model: type[models.Model], name: str) -> int | None:
    """The column's own limit, for callers that must cut text to fit it."""
    field = model._meta.get_field(name)
    return getattr(field, "max_length", None)


def safe_text(text: str) -> str:
    """``text`` with NULs and lone surrogates written as escapes: for quarantine rows and logs."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def shown(value: object) -> str:
    """A short, storable quotation of a bad value for a reason."""
    text = safe_text(repr(value))
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
