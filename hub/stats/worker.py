"""The stats worker in ``shopcrier-hub run``: apply the noted changes to the rollups every few
minutes (hub.stats.incremental), owe the daily/weekly summaries once their hour has come
(hub.stats.summary), purge what is past its retention once a day."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError
from django.utils import timezone

from . import months, triggers
from .days import day_of
from .fill import fill
from .purge import purge as apply_retention
from .summary import write_summaries

log = logging.getLogger(__name__)


def daily_purge(now: datetime, stop: threading.Event) -> object:
    return apply_retention(now, stop=stop)

FILL_EVERY = timedelta(minutes=5)
MONTHS_EVERY = timedelta(hours=1)


class StatsWorker:
    """``run(stop)`` fills (and owes the summaries due) at once and then every :data:`FILL_EVERY`; ``purge`` (retention;
    None: never) runs after the first fill and then once a day. Time comes from ``clock``."""

    def __init__(self, clock: Callable[[], datetime] = timezone.now,
                 purge: Callable[[datetime, threading.Event], object] | None = daily_purge) -> None:
        self.clock = clock
        self.purge = purge
        self.last_purge: datetime | None = None
        self.last_months: datetime | None = None

    def step(self, stop: threading.Event) -> None:
        now = self.clock()
        try:
            fill(now, stop=stop)
            if self.last_months is None or now - self.last_months >= MONTHS_EVERY:
                months.refresh(day_of(now))  # a month that closed, or a closed one a late change touched
                self.last_months = now
            write_summaries(now)  # after the fill: yesterday's numbers are whole
            if self.purge is not None and (self.last_purge is None or now - self.last_purge >= timedelta(days=1)):
                self.purge(now, stop)
                self.last_purge = now
        except DatabaseError as exc:  # the next round tries again; the rollups are never half-written
            log.warning("stats: %s; trying again in %s", exc, FILL_EVERY)

    def run(self, stop: threading.Event) -> None:
        absent = triggers.missing()
        if absent:  # a migration that rebuilt a table on SQLite drops its triggers
            log.warning("stats: triggers %s were missing; putting them back", ", ".join(absent))
            triggers.install()
        while not stop.is_set():
            self.step(stop)
            stop.wait(FILL_EVERY.total_seconds())
