"""What became of each message received in one shop-day, read from the raw tables
in a handful of queries (not one per message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Min

import mqtt
from hub.attention.models import Acknowledgement, FollowUp
from hub.intake.models import Message
from hub.outbox.models import Delivery, Expectation, Receipt

from .days import bounds
from .models import CategoryTarget, Erasure


@dataclass
class Fate:
    """One message: its dimensions and what happened to it (seconds are waits from receipt)."""

    key: tuple[str, str, str, str, str, str]
    hour: int = 0
    played_after: float | None = None
    acked_after: float | None = None
    escalated: bool = False
    expired: bool = False
    no_speaker: bool = False
    breached: bool = False


def fates(day: date, now: datetime) -> list[Fate]:
    """Every message received on the shop's ``day``; ``now`` decides whether an
    unacknowledged message has already missed its target."""
    start, end = bounds(day)
    rows = list(
        Message.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
            "pk", "source__name", "app", "category__slug", "category_id", "priority", "received_at",
            "category__escalation_policy__repeat",
        )
    )
    if not rows:
        return []
    lo, hi = min(r[0] for r in rows), max(r[0] for r in rows)
    in_day = {"message_id__gte": lo, "message_id__lte": hi, "message__received_at__gte": start, "message__received_at__lt": end}
    audience = _audience(in_day)
    played = dict(Receipt.objects.filter(status="played", **in_day).values("message_id").annotate(at=Min("at")).values_list("message_id", "at"))
    acked = dict(Acknowledgement.objects.filter(**in_day).values_list("message_id", "at"))
    rounds = dict(FollowUp.objects.filter(**in_day).values_list("message_id", "rounds"))
    expired = set(Delivery.objects.filter(status=Delivery.EXPIRED, **in_day).values_list("message_id", flat=True))
    expired |= set(Receipt.objects.filter(status="expired", **in_day).values_list("message_id", flat=True))
    expired |= set(
        Expectation.objects.filter(
            status=Expectation.LAPSED, delivery__message__received_at__gte=start, delivery__message__received_at__lt=end
        ).values_list("delivery__message_id", flat=True)
    )
    unheard = set(Delivery.objects.filter(status=Delivery.NO_SPEAKER, **in_day).values_list("message_id", flat=True))
    targets = dict(CategoryTarget.objects.values_list("category_id", "ack_seconds"))
    found = []
    for pk, source, app, category, category_id, priority, received, repeat in rows:
        department, staff = audience.get(pk, ("", ""))
        fate = Fate(key=(source, app, category or "", priority, department, staff), hour=received.astimezone(start.tzinfo).hour)
        if pk in played:
            fate.played_after = max(0.0, (played[pk] - received).total_seconds())
        if pk in acked:
            fate.acked_after = max(0.0, (acked[pk] - received).total_seconds())
        fate.escalated = repeat is not None and rounds.get(pk, 0) > repeat
        fate.expired = pk not in played and pk in expired
        fate.no_speaker = pk not in played and pk in unheard
        target = targets.get(category_id, settings.STATS_DEFAULT_ACK_SECONDS)
        waited = fate.acked_after if fate.acked_after is not None else (now - received).total_seconds()
        fate.breached = waited > target
        found.append(fate)
    return found


def _audience(in_day: dict[str, object]) -> dict[int, tuple[str, str]]:
    """Per message, the department and staff number of its first announcement (as routed,
    before any escalation): a message counts once, for whom it was first meant."""
    base = settings.MQTT_BASE_TOPIC
    found: dict[int, tuple[str, str]] = {}
    erased = dict(Erasure.objects.values_list("number", "token"))
    topics = Delivery.objects.filter(**in_day).exclude(announcement_id="").order_by("id").values_list("message_id", "topic", "announcement_id")
    first: dict[int, str] = {}
    for message_id, topic, announcement_id in topics:
        assert message_id is not None
        if first.setdefault(message_id, announcement_id) != announcement_id:
            continue  # a later announcement (a reminder, an escalation)
        route = mqtt.Announcement.parse_topic(topic, base)
        if route is None or route.is_all:
            found.setdefault(message_id, ("", ""))
            continue
        department, staff = found.get(message_id, ("", ""))
        person = erased.get(route.staff, route.staff) if route.staff else ""
        found[message_id] = (department or route.department or "", staff or person)
    return found
