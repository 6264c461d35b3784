"""Weekly shifts, without the database: who is on duty at a given moment."""

from __future__ import annotations

from datetime import datetime, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # 0..6, as datetime.weekday()


def on_shift(shifts: list[tuple[int, time, time]], local: datetime) -> bool:
    """Whether a local time falls in one of the weekly ``(weekday, start, end)`` shifts."""
    day, now = local.weekday(), local.time().replace(tzinfo=None)
    for weekday, start, end in shifts:
        if start < end:
            if weekday == day and start <= now < end:
                return True
        elif weekday == day and now >= start:  # runs past midnight: its first part
            return True
        elif (weekday + 1) % 7 == day and now < end:  # and its second, the next day
            return True
    return False
