"""What became of messages, read from the raw tables in a handful of queries (not one per
message): every message of one shop-day (:func:`fates`, the fill from scratch), or a set of
messages (:func:`fates_of`, the incremental fill)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q

import mqtt
from hub.intake.models import Message
from hub.outbox.models import Delivery, Expectation, Receipt

from .days import bounds, shop_zone
from .models import CategoryTarget, Erasure


@dataclass
class Fate:
    """One message: its dimensions and what happened to it (seconds are waits from receipt).

    ``key``: source, app, category, priority, department, staff. ``due_at``: when an
    unacknowledged message that has not yet missed its target will miss it."""

    key: tuple[str, str, str, str, str, str]
    hour: int = 0
    played_after: float | None = None
    acked_after: float | None = None
    escalated: bool = False
    expired: bool = False
    no_speaker: bool = False
    breached: bool = False
    pk: int = 0
    day: date | None = None
    due_at: datetime | None = None


def fates(day: date, now: datetime) -> list[Fate]:
    """Every message received on the shop's ``day``; ``now`` decides whether an
    unacknowledged message has already missed its target."""
    start, end = bounds(day)
    return _fates(Q(received_at__gte=start, received_at__lt=end), now, day=(start, end))


def fates_of(pks: Collection[int], now: datetime) -> list[Fate]:
    """The messages ``pks`` that still exist (a purged one has none)."""
    if not pks:
        return []
    return _fates(Q(pk__in=sorted(pks)), now)


def _fates(which: Q, now: datetime, day: tuple[datetime, datetime] | None = None) -> list[Fate]:
    rows = list(
        Message.objects.filter(which).values_list(
            "pk", "source__name", "app", "category__slug", "category_id", "priority", "received_at",
            "category__escalation_policy__repeat", "acknowledgement__at", "follow_up__rounds",
        )
    )
    if not rows:
        return []
    pks = [r[0] for r in rows]
    if day is not None:  # a whole day: a range of ids and of times, not a list of a few thousand
        start, end = day
        related: dict[str, Any] = {"message_id__gte": min(pks), "message_id__lte": max(pks),
                                   "message__received_at__gte": start, "message__received_at__lt": end}
    else:
        related = {"message_id__in": pks}
    audience, expired, unheard = _deliveries(related)
    played: dict[int, datetime] = {}
    for message_id, status, at in Receipt.objects.filter(status__in=("played", "expired"), **related).values_list(
            "message_id", "status", "at"):
        assert message_id is not None
        if status == "expired":
            expired.add(message_id)
        elif message_id not in played or at < played[message_id]:
            played[message_id] = at
    lapsed = {f"delivery__{k}": v for k, v in related.items()}
    expired |= set(Expectation.objects.filter(status=Expectation.LAPSED, **lapsed).values_list("delivery__message_id", flat=True))
    targets = dict(CategoryTarget.objects.values_list("category_id", "ack_seconds"))
    zone = shop_zone()
    found = []
    for pk, source, app, category, category_id, priority, received, repeat, acked_at, rounds in rows:
        department, staff = audience.get(pk, ("", ""))
        local = received.astimezone(zone)
        fate = Fate(key=(source, app, category or "", priority, department, staff), hour=local.hour, pk=pk, day=local.date())
        if pk in played:
            fate.played_after = max(0.0, (played[pk] - received).total_seconds())
        if acked_at is not None:
            fate.acked_after = max(0.0, (acked_at - received).total_seconds())
        fate.escalated = repeat is not None and (rounds or 0) > repeat
        fate.expired = pk not in played and pk in expired
        fate.no_speaker = pk not in played and pk in unheard
        target = targets.get(category_id, settings.STATS_DEFAULT_ACK_SECONDS)
        waited = fate.acked_after if fate.acked_after is not None else (now - received).total_seconds()
        fate.breached = waited > target
        if fate.acked_after is None and not fate.breached:
            fate.due_at = received + timedelta(seconds=target)
        found.append(fate)
    return found


def _deliveries(related: dict[str, Any]) -> tuple[dict[int, tuple[str, str]], set[int], set[int]]:
    """Per message, the department and staff number of its first announcement (as routed,
    before any escalation: a message counts once, for whom it was first meant); and the
    messages with an expired delivery, and with one no speaker followed."""
    base = settings.MQTT_BASE_TOPIC
    found: dict[int, tuple[str, str]] = {}
    expired: set[int] = set()
    unheard: set[int] = set()
    erased = dict(Erasure.objects.values_list("number", "token"))
    first: dict[int, str] = {}
    rows = Delivery.objects.filter(**related).order_by("id").values_list("message_id", "topic", "announcement_id", "status")
    for message_id, topic, announcement_id, status in rows:
        assert message_id is not None
        if status == Delivery.EXPIRED:
            expired.add(message_id)
        elif status == Delivery.NO_SPEAKER:
            unheard.add(message_id)
        if not announcement_id or first.setdefault(message_id, announcement_id) != announcement_id:
            continue  # an event for other tools, or a later announcement (a reminder, an escalation)
        route = mqtt.Announcement.parse_topic(topic, base)
        if route is None or route.is_all:
            found.setdefault(message_id, ("", ""))
            continue
        department, staff = found.get(message_id, ("", ""))
        person = erased.get(route.staff, route.staff) if route.staff else ""
        found[message_id] = (department or route.department or "", staff or person)
    return found, expired, unheard
