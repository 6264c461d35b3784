"""The counts over the large tables, taken once a minute instead of at every scrape.

Counting messages by source and category, deliveries by state and receipts by
status reads every row: 110 ms a scrape at 100,000 messages on SQLite, ten
times that at a million (docs/health.md). So one hub process counts them every
:data:`EVERY` (the ``metrics`` worker of ``shopcrier-hub run``), claiming the
turn with a conditional update so several ``run`` processes count once between
them, and stores the counts in one row (:class:`MetricsSnapshot`); a scrape
reads that row. Figures that stay small (outbox depth, speakers, alerts,
notifications pending, each through an index or a small table) are still read
live at each scrape; notifications being sent right now (no index) come with
the minute's counts.

A web process without any ``run`` process (nothing refreshes the row) counts
at the scrape once the row is older than :data:`STALE`, and stores what it
counted, so scrapes stay cheap in between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections
from django.db.models import Count, Q
from django.utils import timezone

from hub.intake.models import Message
from hub.monitor.models import MetricsSnapshot
from hub.notify.models import Notification
from hub.outbox.models import Delivery, Receipt

log = logging.getLogger(__name__)

EVERY = timedelta(seconds=60)
STALE = 3 * EVERY
NAME = "hub"


def count_now() -> dict[str, Any]:
    """The counts, read from every row (the slow part)."""
    messages = [[source, category or "none", n] for source, category, n in (
        Message.objects.values_list("source__name", "category__slug").annotate(n=Count("id")).order_by())]
    return {
        "messages": messages,
        "deliveries": dict(Delivery.objects.values_list("status").annotate(n=Count("id")).order_by()),
        "receipts": dict(Receipt.objects.values_list("status").annotate(n=Count("id")).order_by()),
        "notifications_sending": Notification.objects.filter(status=Notification.SENDING).count(),
    }


def take(now: datetime, every: timedelta = EVERY) -> MetricsSnapshot | None:
    """Count and store, if nobody has set out to within ``every``; the new snapshot, else None."""
    MetricsSnapshot.objects.get_or_create(name=NAME)
    due = Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - every)
    if not MetricsSnapshot.objects.filter(due, name=NAME).update(claimed_at=now):
        return None  # another process counts this turn
    started = time.perf_counter()
    figures = count_now()
    took_ms = (time.perf_counter() - started) * 1000
    MetricsSnapshot.objects.filter(name=NAME).update(figures=figures, taken_at=now, took_ms=took_ms)
    log.debug("metrics snapshot taken in %.0f ms", took_ms)
    return MetricsSnapshot.objects.get(name=NAME)


def current(now: datetime) -> MetricsSnapshot:
    """The snapshot to show at ``now``: the stored one, or counted now when it is missing or
    older than :data:`STALE` (no ``run`` process keeps it fresh)."""
    stored = MetricsSnapshot.objects.filter(name=NAME).first()
    if stored is not None and stored.taken_at is not None and now - stored.taken_at <= STALE:
        return stored
    taken = take(now, every=timedelta(0) if stored is None or stored.taken_at is None else EVERY)
    if taken is not None:
        return taken
    # another process is counting right now: show what it has (or counted just before)
    stored = MetricsSnapshot.objects.get(name=NAME)
    if stored.taken_at is None:
        return MetricsSnapshot(name=NAME, taken_at=now, figures=count_now())
    return stored


class SnapshotWorker:
    """``run(stop)``: take the snapshot every :data:`EVERY` (one process of several does)."""

    def __init__(self, clock: Callable[[], datetime] = timezone.now, every: timedelta = EVERY) -> None:
        self.clock = clock
        self.every = every

    def step(self) -> bool:
        try:
            return take(self.clock(), self.every) is not None
        except DatabaseError as exc:  # the next turn tries again; the last snapshot stays shown
            log.warning("metrics snapshot: %s; trying again in %s", exc, self.every)
            return False

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            close_old_connections()
            self.step()
            stop.wait(self.every.total_seconds() / 2)  # a turn claimed by another process is not missed by much
