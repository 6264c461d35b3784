"""Who a message is for, read from the topics its announcements went to.

The same topics decide what a Viewer may query (dashboard.roles), so the feed
page and the live socket never disagree about who sees a message.
"""

from __future__ import annotations

from django.conf import settings

import mqtt
from hub.outbox.models import Delivery

from .roles import group


def groups_for_topics(topics: list[str]) -> set[str]:
    """The live groups that should hear of a message announced on ``topics`` (admins always)."""
    base = settings.MQTT_BASE_TOPIC
    found = {group("admin")}
    for topic in topics:
        route = mqtt.Announcement.parse_topic(topic, base)
        if route is None:
            continue
        if route.is_all:
            found.add(group("everyone"))
        elif route.staff is None:
            assert route.department is not None
            found.add(group("dept", route.department))
        else:
            assert route.department is not None
            found.add(group("staff", route.staff))
            found.add(group("mgr", route.department))
    return found


def groups_for_message(message_id: int) -> set[str]:
    topics = list(Delivery.objects.filter(message_id=message_id).exclude(announcement_id="").values_list("topic", flat=True))
    return groups_for_topics(topics)
