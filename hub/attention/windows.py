"""Weekly time windows (quiet hours): pure functions, no database."""

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


def in_window(weekdays: frozenset[int], start: time, end: time, local: datetime) -> bool:
    """Whether local time ``local`` falls in a window starting at ``start`` on one of
    ``weekdays`` and running to ``end``; past midnight when ``end < start``. As on the
    node (node/quiet.py, the same windows in its config), ``start == end`` is empty."""
    day, now = local.weekday(), local.time().replace(tzinfo=None)
    if start < end:
        return day in weekdays and start <= now < end
    if start == end:
        return False
    if day in weekdays and now >= start:  # the part before midnight
        return True
    return (day - 1) % 7 in weekdays and now < end  # the part after, on the next day
