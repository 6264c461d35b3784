"""Speaker uptime and outages over time, per shop-day, from the health monitor's alerts
(hub.monitor: one row per outage, opened to resolved; a handful per day, not a raw-message scan)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hub.monitor.models import Alert
from hub.org.models import SpeakerNode

from .days import bounds, days


def outages(first: date, last: date, now: datetime, departments: frozenset[str] | None = None) -> dict[str, Any]:
    """Per day: minutes of outage of speakers, platform sources and the hub's broker link, and the
    speakers' uptime in percent (None without speakers). ``departments``: only their speakers (and
    no source or broker outages, which are the technical department's); None: everything."""
    start, _ = bounds(first)
    _, end = bounds(last)
    nodes = SpeakerNode.objects.filter(enabled=True)
    if departments is not None:
        nodes = nodes.filter(department__slug__in=sorted(departments))
    node_keys = {f"node:{n}" for n in nodes.values_list("node_id", flat=True)}
    alerts = Alert.objects.filter(opened_at__lt=end).exclude(resolved_at__lt=start)
    if departments is not None:
        alerts = alerts.filter(kind=Alert.NODE, key__in=sorted(node_keys))
    spans = [(a.kind, a.opened_at, a.resolved_at or now) for a in alerts.only("kind", "opened_at", "resolved_at")]
    labels: list[str] = []
    minutes: dict[str, list[float]] = {Alert.NODE: [], Alert.SOURCE: [], Alert.BROKER: []}
    uptime: list[float | None] = []
    for day in days(first, last):
        day_start, day_end = bounds(day)
        labels.append(day.isoformat())
        for kind in minutes:
            minutes[kind].append(round(sum(_overlap(s, e, day_start, day_end) for k, s, e in spans if k == kind) / 60, 1))
        whole = (day_end - day_start).total_seconds() / 60 * len(node_keys)
        uptime.append(round(100 * (1 - minutes[Alert.NODE][-1] / whole), 2) if whole else None)
    return {"labels": labels, "speaker_minutes": minutes[Alert.NODE], "source_minutes": minutes[Alert.SOURCE],
            "broker_minutes": minutes[Alert.BROKER], "speaker_uptime": uptime}


def _overlap(start: datetime, end: datetime, day_start: datetime, day_end: datetime) -> float:
    return max(0.0, (min(end, day_end) - max(start, day_start)).total_seconds())
