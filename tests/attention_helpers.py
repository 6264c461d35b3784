"""Messages with their outbox rows written directly (no classification), and a clock tests move."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

import mqtt
from hub.intake.models import Message, Source
from hub.org.models import Department, Staff, Subsystem
from hub.outbox.models import Delivery
from hub.rules.models import Category

BASE = "shopcrier"


class Clock:
    """``clock()`` says ``now``; ``advance`` moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def department(slug: str = "orders", subsystem: str = "ops") -> Department:
    sub, _ = Subsystem.objects.get_or_create(slug=subsystem, defaults={"name": subsystem})
    dept, _ = Department.objects.get_or_create(slug=slug, defaults={"name": slug, "subsystem": sub})
    return dept


def staff(number: str, dept: str = "orders") -> Staff:
    person, _ = Staff.objects.get_or_create(number=number, defaults={"name": f"staff {number}", "department": department(dept)})
    return person


def category(slug: str = "order", name: str = "订单") -> Category:
    cat, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    return cat


def announced(
    text: str,
    *,
    category_slug: str = "order",
    dept: str = "orders",
    staff_no: str | None = None,
    priority: str = "normal",
    lang: str = "zh",
    at: datetime | None = None,
) -> Message:
    """A stored message with its event and one announcement on the department's topic
    (and a staff member's, sharing the announcement id), as the pipeline writes them."""
    at = at or timezone.now()
    source, _ = Source.objects.get_or_create(name="test", defaults={"url": "http://127.0.0.1:1/"})
    cat = category(category_slug)
    d = department(dept)
    message = Message.objects.create(
        source=source, dedup_key=uuid.uuid4().hex, content=text, lang=lang, category=cat, priority=priority, received_at=at
    )
    event = mqtt.Event(message_id=message.pk, category=cat.slug, priority=priority, rule="test", text=text, source="test")  # type: ignore[arg-type]
    rows = [Delivery(message=message, topic=event.topic(BASE, category=cat.slug), payload=event.to_json(), created_at=at)]
    announcement_id = uuid.uuid4().hex
    routes = [mqtt.Route(d.subsystem.slug, d.slug)]
    if staff_no:
        routes.append(mqtt.Route(d.subsystem.slug, d.slug, staff_no))
    for route in routes:
        a = mqtt.Announcement(
            id=announcement_id, text=text, category=cat.slug, route=route, lang=lang, priority=priority,  # type: ignore[arg-type]
            message_id=message.pk, created_at=at, expires_at=at + timedelta(hours=1),
        )
        rows.append(Delivery(message=message, announcement_id=a.id, topic=a.topic(BASE), payload=a.to_json(),
                             expires_at=a.expires_at, created_at=at))
    Delivery.objects.bulk_create(rows)
    return message
