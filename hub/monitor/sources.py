"""Platform link monitoring, read from each source's health record (written by the poller).

A source whose polls keep failing opens ``source:<name>`` after
``failures`` in a row (``auth_failures`` for a 401/403: retrying does not
mend credentials), worded by what went wrong; the first successful poll after
it resolves it. Replies slower than ``slow_ms`` for ``slow_polls`` polls in a
row open ``source:<name>:slow``; a quick one resolves it. A poll's latency is
its slowest single reply (the poller records it), so a walk of many quick
pages is not slow. The slow-poll count
lives in memory: a restarted monitor counts again from zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from hub.intake.models import Source
from hub.intake.poller import SUSPENDED

from .alerts import clear_alert, raise_alert
from .models import MONITOR_SOURCE, Alert

_HTTP = re.compile(r"^HTTP (\d{3})")
_TIMEOUT = ("no reply within", "could not connect within", "still arriving after")
_WAIT = re.compile(r"asks to wait ([0-9.]+) s")
_HELD = re.compile(SUSPENDED + r" ([0-9]+) s")


def wording(error: str) -> str:
    """What a poll's error means, in words the technical department can act on: never the
    error's own text when that is a fault inside the hub (it may carry SQL or a repr)."""
    if is_suspended(error):
        return _suspension(error)
    if error.startswith("internal error"):
        return "the hub could not store what the platform sent (an internal fault; details are in the hub's log)"
    found = _HTTP.match(error)
    if found:
        code = int(found.group(1))
        if code in (401, 403):
            return f"HTTP {code}: the platform refuses our credentials (check the source's token or key)"
        if code == 429:
            return "HTTP 429: the platform is rate-limiting us"
        if code >= 500:
            return f"HTTP {code}: the platform's server is failing"
        return f"HTTP {code}: the platform rejects our request"
    if any(marker in error for marker in _TIMEOUT):
        return f"timeout: the platform did not answer in time ({error})"
    if error.startswith("request failed"):
        return "the platform cannot be reached (connection refused, DNS or network)"
    return f"polls fail: {error[:200]}"


def is_suspended(error: str) -> bool:
    """The platform asked us to wait so long (Retry-After) that polls are suspended for a while."""
    return SUSPENDED in error


def _suspension(error: str) -> str:
    asked, held = _WAIT.search(error), _HELD.search(error)
    code = _HTTP.match(error)
    what = f"HTTP {code.group(1)}: the platform" if code else "The platform"
    asked_s = f" {_duration(float(asked.group(1)))}" if asked else " a long time"
    held_s = f"; we poll again in {_duration(float(held.group(1)))}" if held else ""
    return f"{what} told us to stop polling for{asked_s}{held_s}; orders are not heard meanwhile"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 60:.3g} min" if seconds >= 60 else f"{seconds:.0f} s"


def is_auth_error(error: str) -> bool:
    found = _HTTP.match(error)
    return bool(found) and found.group(1) in ("401", "403")  # type: ignore[union-attr]


@dataclass
class SourceWatch:
    """The source checks, with their thresholds (and the slow-poll counts between checks)."""

    failures: int = 3
    auth_failures: int = 1
    slow_ms: int = 5000
    slow_polls: int = 3
    _slow: dict[int, tuple[datetime | None, int]] = field(default_factory=dict)

    def check(self, now: datetime, base: str) -> None:
        rows = Source.objects.exclude(name=MONITOR_SOURCE).values_list(
            "pk", "name", "enabled", "consecutive_failures", "last_error", "last_latency_ms", "last_attempt_at"
        )
        for pk, name, enabled, failures, error, latency, attempted in rows:
            key = f"source:{name}"
            subject = f"platform source {name}"
            threshold = self.auth_failures if is_auth_error(error) or is_suspended(error) else self.failures
            if enabled and failures >= threshold:
                text = f"Source {name}: {wording(error)} ({failures} failed poll(s) in a row)"
                raise_alert(key, Alert.SOURCE, subject, text, now, base)
            elif not enabled or failures == 0:
                clear_alert(key, f"Source {name} answers again", now, base)
            self._check_slow(pk, name, enabled and failures == 0, latency, attempted, now, base)

    def _check_slow(
        self, pk: int, name: str, answered: bool, latency: int | None, attempted: datetime | None, now: datetime, base: str
    ) -> None:
        seen, count = self._slow.get(pk, (None, 0))
        if attempted == seen or latency is None or not answered:
            return
        count = count + 1 if latency > self.slow_ms else 0
        self._slow[pk] = (attempted, count)
        key = f"source:{name}:slow"
        if count >= self.slow_polls:
            text = f"Source {name} replies slowly: {latency} ms (over {self.slow_ms} ms for {count} polls)"
            raise_alert(key, Alert.SOURCE, f"platform source {name} (slow)", text, now, base)
        elif count == 0:
            clear_alert(key, f"Source {name} replies quickly again ({latency} ms)", now, base)
