"""Weekly time windows, without the database: staff shifts (who is on duty)
and departments' quiet hours (hub.attention) are both read with these."""

from __future__ import annotations

from datetime import datetime, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # 0..6, as datetime.weekday()


def parse_weekdays(text: str) -> frozenset[int]:
    """``"mon,tue"`` → {0, 1}; refuses an unknown day."""
    days = set()
    for word in (w.strip().lower() for w in text.split(",")):
        if not word:
            continue
        if word not in WEEKDAYS:
            raise ValueError(f"{word!r} is not a weekday ({', '.join(WEEKDAYS)})")
        days.add(WEEKDAYS.index(word))
    return frozenset(days)


def _spans(weekdays: frozenset[int], start: time, end: time, local: datetime) -> bool:
    """Whether ``local`` falls in a window from ``start`` on one of ``weekdays`` to ``end``;
    an ``end`` at or before ``start`` is on the next day."""
    day, now = local.weekday(), local.time().replace(tzinfo=None)
    if start < end:
        return day in weekdays and start <= now < end
    if day in weekdays and now >= start:  # the part before midnight
        return True
    return (day - 1) % 7 in weekdays and now < end  # the part after, on the next day


def in_window(weekdays: frozenset[int], start: time, end: time, local: datetime) -> bool:
    """A quiet-hours window; past midnight when ``end < start``. As on the node
    (node/quiet.py, the same windows in its config), ``start == end`` is empty."""
    return start != end and _spans(weekdays, start, end, local)


def on_shift(shifts: list[tuple[int, time, time]], local: datetime) -> bool:
    """Whether a local time falls in one of the weekly ``(weekday, start, end)`` shifts;
    a shift whose end is at or before its start ends the next day (``start == end``: 24 hours)."""
    return any(_spans(frozenset({weekday}), start, end, local) for weekday, start, end in shifts)
