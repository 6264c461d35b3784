"""Recognise a fresh message, and the outbox rows its routes call for.

The caller (hub.intake.store) saves both inside the transaction that stores
the message, so a message, its classification and its deliveries are
committed together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.utils import timezone

import mqtt
from hub.intake.models import Message
from hub.outbox.models import Delivery
from hub.rules.classify import DEFAULT_CATEGORY, Classifier
from hub.rules.models import Category
from hub.rules.routing import RouteTable

log = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, classifier: Classifier, routes: RouteTable, categories: dict[str, Category], base: str) -> None:
        self.classifier = classifier
        self.routes = routes
        self.categories = categories
        self.base = base

    @classmethod
    def from_db(cls) -> Pipeline:
        """Rules, routes and categories as they are now (admins may change them at any time)."""
        from django.conf import settings

        categories = {c.slug: c for c in Category.objects.all()}
        return cls(Classifier.from_db(), RouteTable.from_db(), categories, settings.MQTT_BASE_TOPIC)

    def recognise(self, message: Message) -> None:
        """Set the message's category, priority and deciding rule (before it is saved)."""
        verdict = self.classifier.classify(message.content, message.platform_type)
        category = self.categories.get(verdict.category) or self.categories.get(DEFAULT_CATEGORY)
        if category is None:
            log.error("no category %r nor %r: message is stored unclassified", verdict.category, DEFAULT_CATEGORY)
            return
        message.category = category
        message.priority = category.priority
        message.rule = verdict.rule
        log.debug("%r is %s (rule %s matched %r)", message.content[:60], category.slug, verdict.rule, verdict.matched)

    def deliveries(self, message: Message) -> list[Delivery]:
        """The outbox rows for a saved, recognised message: its event, and its announcement on every route target."""
        category = message.category
        if category is None:
            return []
        now = timezone.now()
        event = mqtt.Event(
            message_id=message.pk,
            category=category.slug,
            priority=message.priority,  # type: ignore[arg-type]
            rule=message.rule,
            text=message.content,
            source=message.source.name,
            app=message.app or None,
            user=message.user_name or None,
            created_at=message.received_at,
        )
        deliveries = [Delivery(message=message, topic=event.topic(self.base, category=category.slug), payload=event.to_json())]

        targets = self.routes.targets(category.slug)
        if targets:
            announcement_id = uuid.uuid4().hex
            # Expiry counts from when the platform says it happened: the first poll of
            # a shop with a long history stores every old order, but says none aloud.
            happened = min(message.platform_created_at or now, now)
            expires_at = happened + timedelta(seconds=category.expiry_seconds)
            for target in targets:
                announcement = mqtt.Announcement(
                    id=announcement_id,
                    message_id=message.pk,
                    category=category.slug,
                    priority=message.priority,  # type: ignore[arg-type]
                    text=message.content,
                    lang=message.lang,
                    sound=category.sound or None,
                    created_at=now,
                    expires_at=expires_at,
                    route=target,
                )
                deliveries.append(
                    Delivery(
                        message=message,
                        announcement_id=announcement_id,
                        topic=announcement.topic(self.base),
                        payload=announcement.to_json(),
                        expires_at=expires_at,
                    )
                )
        return deliveries
