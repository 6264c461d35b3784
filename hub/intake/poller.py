"""The poller: each enabled source on its own interval, with jitter and backoff.

:meth:`Poller.poll_source` is one complete, separately testable step: fetch
pages until the source has nothing more, store each page exactly once, and
record the source's health.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from dataclasses import dataclass

import requests
from django.db import close_old_connections
from django.utils import timezone

from hub.pipeline import Pipeline
from hub.storable import safe_text

from .adapters import FetchError, Reject, adapter_for
from .locks import holds_source
from .models import Source
from .store import quarantine, store_page
from .walk import Walk

log = logging.getLogger(__name__)

MAX_PAGES_PER_POLL = 50
MAX_BACKOFF_SECONDS = 300
# A platform's Retry-After is obeyed up to this; one reply asking for a day must not stop orders for a day.
MAX_RETRY_AFTER_SECONDS = 900
# Asked to wait at least this long, the source counts as suspended: the monitor alerts at once.
SUSPENDED_AFTER_SECONDS = 300
SUSPENDED = "polls suspended for"  # the marker hub.monitor.sources reads in last_error


@dataclass(frozen=True)
class PollResult:
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str = ""
    first_reject: str = ""
    retry_after: float | None = None


class Poller:
    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        # the pid tells a platform's logs (and our tests) which hub process polls
        self.session.headers["User-Agent"] = f"ShopCrier/0.1 (pid {os.getpid()})"
        self._due: dict[int, float] = {}

    def poll_source(self, source: Source) -> PollResult:
        """Fetch and store pages until the source has nothing more; record its health."""
        new = duplicates = rejected = 0
        first_reject = error = ""
        retry_after: float | None = None
        next_url: str | None = None
        seen: set[str] = set()
        slowest = 0.0  # the slowest single reply: slowness is judged per reply, not per poll
        try:
            adapter = adapter_for(source.adapter)
            pipeline = Pipeline.from_db()
            walk = Walk.for_source(adapter, source)
            for _ in range(MAX_PAGES_PER_POLL):
                asked = time.monotonic()
                try:
                    page = adapter.fetch(source, self.session, next_url)
                finally:
                    slowest = max(slowest, time.monotonic() - asked)
                if walk is not None:
                    walk.seen(page)
                stored = store_page(source, page, pipeline)
                new, duplicates, rejected = new + stored.new, duplicates + stored.duplicates, rejected + stored.rejected
                first_reject = first_reject or stored.first_reject
                next_url = page.next_url if walk is None else walk.next_url(page)
                if next_url is not None:
                    if next_url in seen:
                        raise FetchError(f"pagination loops back to {next_url}")
                    seen.add(next_url)
                elif not page.more:
                    break
        except FetchError as exc:
            error, retry_after = str(exc), exc.retry_after
            if retry_after is not None and retry_after >= SUSPENDED_AFTER_SECONDS:
                held = min(retry_after, MAX_RETRY_AFTER_SECONDS)
                error = f"{error}; {SUSPENDED} {held:.0f} s" + (" (capped)" if held < retry_after else "")
            if exc.raw:  # the reply itself goes to quarantine, so an admin can see what came
                quarantine(source, [Reject(reason=error, raw=exc.raw)], timezone.now())
        except Exception as exc:  # a bug or a database fault: recorded like a failure, never silent
            log.exception("polling source %s failed unexpectedly", source.name)
            error = f"internal error: {exc!r}"
        result = PollResult(new, duplicates, rejected, error, first_reject, retry_after)
        self._record_health(source, result, slowest)
        return result

    def _record_health(self, source: Source, result: PollResult, elapsed: float) -> None:
        """``elapsed``: seconds the slowest reply of the poll took (``last_latency_ms``)."""
        now = timezone.now()
        fields = {"last_attempt_at": now, "last_latency_ms": int(elapsed * 1000)}
        if result.error:
            source.consecutive_failures += 1
            # a platform's error body may hold a NUL, which PostgreSQL would refuse with the whole update
            fields.update(consecutive_failures=source.consecutive_failures, last_error=safe_text(result.error[:2000]))
            log.warning("source %s failed (%d in a row): %s", source.name, source.consecutive_failures, result.error)
        else:
            # The platform answered: a success, even when some items had to be quarantined.
            note = f"{result.rejected} item(s) quarantined: {result.first_reject}" if result.rejected else ""
            source.consecutive_failures = 0
            fields.update(consecutive_failures=0, last_success_at=now, last_error=safe_text(note[:2000]))
            if result.new or result.rejected:
                log.info("source %s: %d new, %d repeated, %d quarantined", source.name, result.new, result.duplicates, result.rejected)
        Source.objects.filter(pk=source.pk).update(**fields)

    def delay(self, source: Source) -> float:
        """Seconds until the next poll: the interval with ±10 % jitter, doubled per failure, capped."""
        base = float(source.interval_seconds)
        if source.consecutive_failures:
            base = min(base * 2 ** min(source.consecutive_failures, 16), max(base, MAX_BACKOFF_SECONDS))
        return base * random.uniform(0.9, 1.1)

    def poll_due(self) -> float:
        """Poll every source that is due; return seconds until the next one is."""
        now = time.monotonic()
        for source in Source.objects.filter(enabled=True):
            if self._due.get(source.pk, 0.0) > now:
                continue
            if holds_source(source.pk):
                result = self.poll_source(source)
                wait = max(self.delay(source), min(result.retry_after or 0.0, MAX_RETRY_AFTER_SECONDS))
                self._due[source.pk] = time.monotonic() + wait
            else:  # another hub process polls it; look again in a while in case it dies
                self._due[source.pk] = time.monotonic() + min(float(source.interval_seconds), 5.0)
        upcoming = [due for due in self._due.values()]
        return max(0.05, min(upcoming) - time.monotonic()) if upcoming else 1.0

    def run(self, stop: threading.Event) -> None:
        log.info("poller started")
        while not stop.is_set():
            close_old_connections()
            try:
                wait = self.poll_due()
            except Exception:
                log.exception("poll loop failed; continuing")
                wait = 1.0
            stop.wait(min(wait, 1.0))
        log.info("poller stopped")
