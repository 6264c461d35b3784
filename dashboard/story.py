"""A message's whole story, as the database tells it: one step per thing that happened.

Read-only and tolerant: delivery and receipt rows are shown as they are
(statuses this code does not know are shown by their name), so changes to the
outbox's states do not break the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

import mqtt
from hub.intake.models import Message
from hub.notify.models import Notification
from hub.org.models import Department, SpeakerNode
from hub.outbox.models import Delivery, Receipt
from hub.pipeline import Pipeline, facts_of


@dataclass
class Speaker:
    node_id: str
    status: str
    at: datetime | None
    detail: str = ""


@dataclass
class Announcement:
    """One announcement id: the first is the routing, later ones reminders or the escalation."""

    announcement_id: str
    kind: str
    created_at: datetime
    targets: list[tuple[str, str, str]] = field(default_factory=list)  # (label, delivery status, sent at)
    speakers: list[Speaker] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)

    @property
    def reached_no_speaker(self) -> bool:
        return not self.followers


@dataclass(frozen=True)
class Notified:
    """One notification channel's row (hub.notify): where, its state, when, and why it failed."""

    target: str
    kind: str
    status: str
    at: datetime | None
    error: str
    folded: bool


@dataclass
class Story:
    message: Message
    matched: str
    rule_now: str
    event_status: str
    announcements: list[Announcement]
    notified: list[Notified] = field(default_factory=list)


def route_label(route: mqtt.Route) -> str:
    """A route in words, with the department's name when the registry knows it."""
    if route.is_all:
        return _("every speaker")
    department = Department.objects.filter(slug=route.department).values_list("name", flat=True).first() or route.department
    if route.staff:
        return _("staff %(staff)s in %(department)s") % {"staff": route.staff, "department": department}
    return _("department %(department)s") % {"department": department}


def followers(route: mqtt.Route) -> list[str]:
    """The enabled speakers that follow ``route``'s topic, from the registry."""
    nodes = SpeakerNode.objects.filter(enabled=True)
    if route.is_all:
        pass
    elif route.staff:
        nodes = nodes.filter(Q(department__slug=route.department) | Q(staff__number=route.staff))
    else:
        nodes = nodes.filter(department__slug=route.department)
    return sorted(set(nodes.values_list("node_id", flat=True)))


def story_of(message: Message) -> Story:
    base = settings.MQTT_BASE_TOPIC
    deliveries = list(Delivery.objects.filter(message=message).order_by("id"))
    event_status = next((d.status for d in deliveries if not d.announcement_id), "")
    receipts = list(Receipt.objects.filter(announcement_id__in=[d.announcement_id for d in deliveries if d.announcement_id]).order_by("at"))
    announcements: dict[str, Announcement] = {}
    for d in deliveries:
        if not d.announcement_id:
            continue
        a = announcements.get(d.announcement_id)
        if a is None:
            kind = _("routed") if not announcements else _("reminder or escalation %(n)d") % {"n": len(announcements)}
            a = announcements[d.announcement_id] = Announcement(d.announcement_id, kind, d.created_at)
        route = mqtt.Announcement.parse_topic(d.topic, base)
        label = route_label(route) if route else d.topic
        a.targets.append((label, d.status, d.sent_at.isoformat() if d.sent_at else ""))
        if route:
            a.followers = sorted(set(a.followers) | set(followers(route)))
    for r in receipts:
        if r.announcement_id in announcements:
            announcements[r.announcement_id].speakers.append(Speaker(r.node_id, r.status, r.at, r.detail))
    try:
        found = Pipeline.from_db().recognition(facts_of(message))
        matched, rule_now = found.matched, found.rule
    except Exception:  # a rule an admin broke must not hide the story
        matched, rule_now = "", ""
    notified = [
        Notified(n.target.name, n.target.kind, n.status, n.sent_at, n.last_error, n.folded_into_id is not None)
        for n in Notification.objects.filter(message=message).select_related("target").order_by("id")
    ]
    return Story(message, matched, rule_now, event_status, list(announcements.values()), notified)
