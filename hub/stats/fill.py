"""The fill: keeps the rollup rows equal to what the raw tables say.

Two ways, one result. **Incremental** (hub.stats.incremental, every round of the
worker): only the messages whose outcome changed since the last round are
recomputed and their rows moved by the difference. **From scratch** (the first
run, an upgrade, a repair: ``shopcrier-hub stats fill --since DAY``): whole shop-days
are recomputed from the raw tables; each day is one transaction that replaces its
rows and its messages' facts, so killed midway a day is either all old or all new,
and run again the same days give the same rows (Zulip's analytics counts work the
same way). Days before ``FillState.frozen_before`` were purged and are never
recomputed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Min

from hub.intake.models import Message

from .buckets import bucket_of
from .days import bounds, day_of, days
from . import months
from .incremental import advance, as_fact, forget, hold_off_notes
from .models import ACK_BUCKETS, PLAYED_BUCKETS, Changed, DailyCount, FillState, HourlyCount, MessageFact
from .outcome import Fate, fates

log = logging.getLogger(__name__)

STATE = "daily"


def state() -> FillState:
    found, _ = FillState.objects.get_or_create(name=STATE)
    return found


def fill(now: datetime, *, since: date | None = None, stop: threading.Event | None = None,
         on_day: Callable[[date], None] | None = None) -> int:
    """Bring the rollups up to ``now``; returns the days recomputed from scratch (0 in a
    round that only applied changes).

    From scratch when no fill ever ran (or ran before facts existed), from the oldest
    unfrozen day; from ``since`` when asked. Then the changes noted meanwhile. ``stop``:
    finish the current day or batch and return. ``on_day`` is told of each day written.
    """
    # the steady state: a few raw queries, no ORM on the way
    if since is None and advance(now, STATE, stop=stop, if_incremental=True) is not None:
        return 0
    bookmark = state()
    first = since
    if first is None and bookmark.facts_since is None:
        oldest = Message.objects.aggregate(at=Min("received_at"))["at"]
        first = day_of(oldest) if oldest is not None else day_of(now)
    written = 0
    if first is not None:
        if bookmark.frozen_before is not None:
            first = max(first, bookmark.frozen_before)
        for day in days(first, day_of(now)):
            if stop is not None and stop.is_set():
                return written
            fill_day(day, now)
            written += 1
            if on_day is not None:
                on_day(day)
        if bookmark.facts_since is None or first < bookmark.facts_since:
            FillState.objects.filter(pk=bookmark.pk).update(facts_since=first)
        months.refresh(day_of(now))
        log.info("filled %d day(s) from scratch, from %s", written, first)
    advance(now, STATE, stop=stop)
    return written


def fill_day(day: date, now: datetime) -> int:
    """Recompute ``day`` from the raw tables and replace its rows and its messages' facts, in one
    transaction; returns the rows written."""
    start, end = bounds(day)
    with transaction.atomic():
        with connection.cursor() as cursor:
            hold_off_notes(cursor)  # first, as a round does: the same order of locks, no deadlock between them
        bookmark = FillState.objects.select_for_update().get(name=STATE)
        if bookmark.frozen_before is not None and day < bookmark.frozen_before:
            return 0  # purged meanwhile: the rows already written are the truth
        pks = set(Message.objects.filter(received_at__gte=start, received_at__lt=end).values_list("pk", flat=True))
        # the day's notes go before it reads the raw tables: what it computes covers them
        noted = sorted({m for m in Changed.objects.filter(message_id__gte=min(pks, default=0), message_id__lte=max(pks, default=0))
                        .values_list("message_id", flat=True) if m in pks})
        forget(noted)
        found = fates(day, now)
        rows, hours = rollup(day, found), by_hour(day, found)
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(rows)
        HourlyCount.objects.filter(day=day).delete()
        HourlyCount.objects.bulk_create(hours)
        MessageFact.objects.filter(day=day).delete()
        MessageFact.objects.bulk_create([as_fact(f) for f in found], batch_size=2000)
        months.touched([day], today=day_of(now))
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
