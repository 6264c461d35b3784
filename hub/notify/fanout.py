"""Notification rows for what was announced, written beside the deliveries that announce it.

The routes decided once who hears a message (hub.pipeline); the announcement
deliveries carry that decision in their topics (a department, one staff
member, or everyone). Each target of those departments and people gets one
row per announcement — a unique key makes a second write of the same one a
no-op — and outage alerts also reach every target marked ``alerts``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

import mqtt
from hub.monitor.models import MONITOR_SOURCE
from hub.outbox.models import Delivery

from .models import Notification, Target


def notify_for(deliveries: Iterable[Delivery], base: str | None = None) -> int:
    """Write the notifications the announcements among ``deliveries`` call for (in the caller's
    transaction, after the deliveries are saved); returns how many rows were offered."""
    base = base or settings.MQTT_BASE_TOPIC
    targets = list(Target.objects.filter(enabled=True).select_related("department", "staff"))
    if not targets:
        return 0
    by_department: dict[str, list[Target]] = defaultdict(list)
    by_staff: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        if target.department is not None:
            by_department[target.department.slug].append(target)
        elif target.staff is not None:
            by_staff[target.staff.number].append(target)
    on_alerts = [t for t in targets if t.alerts]

    rows: dict[tuple[str, int], Notification] = {}
    for delivery in deliveries:
        if not delivery.announcement_id or delivery.message_id is None:
            continue  # events for other tools; digests (several messages) have no one message to show
        route = mqtt.Announcement.parse_topic(delivery.topic, base)
        if route is None:
            continue
        if route.is_all:
            reached = [t for ts in by_department.values() for t in ts]
        elif route.staff is not None:
            reached = list(by_staff.get(route.staff, []))
        else:
            reached = list(by_department.get(route.department or "", []))
        if _is_alert(delivery):
            reached += on_alerts
        for target in reached:
            key = (delivery.announcement_id, target.pk)
            rows.setdefault(key, Notification(
                message_id=delivery.message_id, announcement_id=delivery.announcement_id, target=target,
            ))
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return len(rows)


def _is_alert(delivery: Delivery) -> bool:
    message = delivery.message
    return message is not None and message.source.name == MONITOR_SOURCE
