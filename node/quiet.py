"""Quiet hours, judged on the node: inside a window only urgent announcements play."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mqtt import QuietHours

log = logging.getLogger(__name__)


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def in_window(window: QuietHours, now: datetime) -> bool:
    """True when ``now`` (timezone-aware) falls in ``window``.

    ``days`` name the day a window starts on, so 22:00–07:00 on Friday covers
    Saturday morning too. ``start == end`` is an empty window. An unknown time
    zone is logged and the window ignored: playing is the safer mistake.
    """
    try:
        tz = ZoneInfo(window.tz)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("quiet hours %s-%s: unknown time zone %r; ignored", window.start, window.end, window.tz)
        return False
    local = now.astimezone(tz)
    start, end = _hhmm(window.start), _hhmm(window.end)
    clock = local.time()
    if start < end:
        return local.weekday() in window.days and start <= clock < end
    if start == end:
        return False
    if clock >= start:  # the evening part, on the start day
        return local.weekday() in window.days
    if clock < end:  # the morning part: the window started yesterday
        return (local - timedelta(days=1)).weekday() in window.days
    return False


def is_quiet(windows: Iterable[QuietHours], now: datetime) -> bool:
    return any(in_window(window, now) for window in windows)
