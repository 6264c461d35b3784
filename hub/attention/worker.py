"""The escalation worker's loop: one :func:`escalate_due` step every few seconds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone

from .escalation import escalate_due

log = logging.getLogger(__name__)


class Escalator:
    def __init__(self, base: str, interval: float = 5.0, clock: Callable[[], datetime] = timezone.now) -> None:
        self.base = base
        self.interval = interval
        self.clock = clock

    def step(self, now: datetime) -> int:
        return escalate_due(now, self.base)

    def run(self, stop: threading.Event) -> None:
        log.info("escalator started")
        while not stop.is_set():
            close_old_connections()
            try:
                self.step(self.clock())
            except Exception:
                log.exception("escalation step failed; continuing")
            stop.wait(self.interval)
        log.info("escalator stopped")
