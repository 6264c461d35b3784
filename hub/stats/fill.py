"""The fill: recompute whole shop-days from the raw tables and write their rollup rows.

Each day is one transaction: its rows are deleted and written again, then the
bookmark moves. Killed midway, a day is either all old or all new; run again,
the same days give the same rows (Zulip's analytics counts work the same way).
Days before ``FillState.frozen_before`` were purged and are never recomputed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min

from hub.intake.models import Message

from .buckets import bucket_of
from .days import day_of, days
from .models import ACK_BUCKETS, PLAYED_BUCKETS, DailyCount, FillState, HourlyCount
from .outcome import Fate, fates

log = logging.getLogger(__name__)

# Receipts and acknowledgements go on arriving for a while: a fill starts again this many days back.
LOOKBACK_DAYS = 2
STATE = "daily"


def state() -> FillState:
    found, _ = FillState.objects.get_or_create(name=STATE)
    return found


def fill(now: datetime, *, since: date | None = None, stop: threading.Event | None = None,
         on_day: Callable[[date], None] | None = None) -> int:
    """Bring the rollups up to ``now``'s day; returns the days written.

    ``since``: recompute from this day (never before the frozen days). ``stop``:
    finish the current day and return. ``on_day`` is told of each day written.
    """
    bookmark = state()
    last = day_of(now)
    first = since or _resume_from(bookmark)
    if first is None:
        return 0
    if bookmark.frozen_before is not None:
        first = max(first, bookmark.frozen_before)
    written = 0
    for day in days(first, last):
        if stop is not None and stop.is_set():
            break
        fill_day(day, now)
        written += 1
        if on_day is not None:
            on_day(day)
    log.info("filled %d day(s) from %s through %s", written, first, last)
    return written


def _resume_from(bookmark: FillState) -> date | None:
    if bookmark.done_through is not None:
        return bookmark.done_through - timedelta(days=LOOKBACK_DAYS)
    oldest = Message.objects.aggregate(at=Min("received_at"))["at"]
    return day_of(oldest) if oldest is not None else None


def fill_day(day: date, now: datetime) -> int:
    """Recompute ``day`` and replace its rows, in one transaction; returns the rows written."""
    found = fates(day, now)
    rows, hours = rollup(day, found), by_hour(day, found)
    with transaction.atomic():
        bookmark = FillState.objects.select_for_update().get(name=STATE)
        if bookmark.frozen_before is not None and day < bookmark.frozen_before:
            return 0  # purged meanwhile: the rows already written are the truth
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(rows)
        HourlyCount.objects.filter(day=day).delete()
        HourlyCount.objects.bulk_create(hours)
        if bookmark.done_through is None or day > bookmark.done_through:
            bookmark.done_through = day
            bookmark.save(update_fields=["done_through"])
    return len(rows)


def rollup(day: date, found: list[Fate]) -> list[DailyCount]:
    """The rows for ``day``: per audience, one with no breakdown and one per value of each dimension."""
    rows: dict[tuple[str, ...], DailyCount] = {}
    for fate in found:
        source, app, category, priority, department, staff = fate.key
        for dimension, value in (("", ""), ("app", app), ("category", category), ("source", source), ("priority", priority)):
            key = (department, staff, dimension, value)
            row = rows.get(key)
            if row is None:
                row = rows[key] = DailyCount(day=day, department=department, staff=staff, dimension=dimension, value=value)
            _add(row, fate)
    return list(rows.values())


def _add(row: DailyCount, fate: Fate) -> None:
    row.messages += 1
    row.escalated += fate.escalated
    row.expired += fate.expired
    row.no_speaker += fate.no_speaker
    row.sla_breaches += fate.breached
    if fate.played_after is not None:
        row.played += 1
        row.played_n += 1
        row.played_seconds += fate.played_after
        _count(row, PLAYED_BUCKETS[bucket_of(fate.played_after)])
    if fate.acked_after is not None:
        row.acknowledged += 1
        row.ack_n += 1
        row.ack_seconds += fate.acked_after
        _count(row, ACK_BUCKETS[bucket_of(fate.acked_after)])


def by_hour(day: date, found: list[Fate]) -> list[HourlyCount]:
    """The day's messages per hour, category and audience."""
    rows: dict[tuple[int, str, str, str], HourlyCount] = {}
    for fate in found:
        _, _, category, _, department, staff = fate.key
        key = (fate.hour, category, department, staff)
        row = rows.get(key)
        if row is None:
            row = rows[key] = HourlyCount(day=day, hour=fate.hour, category=category, department=department, staff=staff)
        row.messages += 1
    return list(rows.values())


def _count(row: DailyCount, field: str) -> None:
    setattr(row, field, getattr(row, field) + 1)
