"""The dashboard's clock: every view and consumer asks ``clock.now()``, so tests and
benchmarks choose the instant (``monkeypatch.setattr(dashboard.clock, "now", ...)``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
