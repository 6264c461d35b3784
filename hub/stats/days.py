"""The shop's days: which instants a day holds, which day an instant is in."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings


def shop_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.STATS_TIME_ZONE)


def day_of(when: datetime) -> date:
    """The shop's calendar day an aware instant falls on."""
    return when.astimezone(shop_zone()).date()


def bounds(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the shop's ``day`` as aware instants (23 or 25 hours long across a DST change)."""
    zone = shop_zone()
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(days=1), time(), zone)


def days(first: date, last: date) -> list[date]:
    """Every day from ``first`` through ``last``."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
