"""Recognise a fresh message, and the outbox rows its routes call for.

The caller (hub.intake.store) saves both inside the transaction that stores
the message, so a message, its classification and its deliveries are
committed together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

import mqtt
from hub.intake.models import Message
from hub.outbox.models import Delivery
from hub.rules.classify import DEFAULT_CATEGORY, Classifier, highest
from hub.rules.facts import Facts
from hub.rules.models import Category
from hub.rules.routing import RouteTable
from hub.rules.templates import render
from hub.sounds.library import SoundRef, sound_refs
from hub.sounds.models import PrioritySound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Said:
    """What speakers say for a message instead of its category's template: the hub's own words
    (hub/monitor/spoken.py). ``lang`` is the text's language; ``sound`` a prompt sound's name to
    play instead of the category's ("" for none; None: the category's)."""

    text: str
    lang: str
    sound: str | None = None


@dataclass(frozen=True)
class Recognition:
    """What recognition decided: the category (None when not even ``other`` exists), the
    priority (the category's, raised by rules), the deciding rule and what it matched."""

    category: Category | None
    priority: str
    rule: str
    matched: str = ""
    confidence: float | None = None
    review: bool = False


def raw_text(value: object) -> str:
    """A raw item's field as words to say: text and numbers as they are, anything else nothing."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return str(value).strip()


def facts_of(message: Message) -> Facts:
    """The message as rules and routes see it (its source must be set)."""
    return Facts(
        content=message.content,
        type=message.platform_type,
        app=message.app,
        source=message.source.name,
        user=message.user_name,
        lang=message.lang,
        raw=message.raw if isinstance(message.raw, dict) else {},
        amount_field=message.amount,
        currency=message.currency,
    )


class Pipeline:
    def __init__(
        self,
        classifier: Classifier,
        routes: RouteTable,
        categories: dict[str, Category],
        base: str,
        clock: Callable[[], datetime] = timezone.now,
        sounds: Mapping[str, SoundRef] | None = None,
        priority_sounds: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self.classifier = classifier
        self.routes = routes
        self.categories = categories
        self.base = base
        self.clock = clock  # decides who is on duty; tests freeze it
        self.sounds = dict(sounds or {})  # prompt sounds by name: where speakers fetch each
        self.priority_sounds = dict(priority_sounds or {})  # (category, priority) -> the sound played instead

    @classmethod
    def from_db(cls, clock: Callable[[], datetime] = timezone.now) -> Pipeline:
        """Rules, routes and categories as they are now (admins may change them at any time)."""
        from django.conf import settings

        categories = {c.slug: c for c in Category.objects.all()}
        raised = {(c, p): s for c, p, s in PrioritySound.objects.values_list("category__slug", "priority", "sound")}
        return cls(Classifier.from_db(), RouteTable.from_db(), categories, settings.MQTT_BASE_TOPIC, clock, sound_refs(), raised)

    def recognition(self, facts: Facts) -> Recognition:
        verdict = self.classifier.judge(facts)
        category = self.categories.get(verdict.category) or self.categories.get(DEFAULT_CATEGORY)
        if category is None:
            return Recognition(None, verdict.priority or "normal", verdict.rule, verdict.matched, verdict.confidence, verdict.review)
        priority = highest((category.priority, verdict.priority)) or category.priority
        return Recognition(category, priority, verdict.rule, verdict.matched, verdict.confidence, verdict.review)

    def recognise(self, message: Message) -> None:
        """Set the message's category, priority and deciding rule (before it is saved)."""
        found = self.recognition(facts_of(message))
        if found.category is None:
            log.error("no category %r nor %r: message is stored unclassified", found.rule, DEFAULT_CATEGORY)
            return
        message.category = found.category
        message.priority = found.priority
        message.rule = found.rule
        message.needs_review = found.review
        log.debug("%r is %s/%s (rule %s matched %r)", message.content[:60], found.category.slug, found.priority, found.rule, found.matched)

    def spoken(self, message: Message, facts: Facts) -> str:
        """The category's template in the message's language, filled in."""
        category = message.category
        assert category is not None
        template = category.template_zh if message.lang == "zh" else category.template_en
        values = {
            "content": message.content,
            "user": message.user_name,
            "amount": facts.money.text if facts.money else "",
            "app": message.app,
            "source": facts.source,
            "category_name": category.name,
            "currency": message.currency,
            "id": message.external_id,
            "user_id": message.user_id,
            "type": message.platform_type,
        }
        return render(template, values, raw=lambda path: raw_text(facts.get(f"raw.{path}")))

    def deliveries(self, message: Message, said: Said | None = None) -> list[Delivery]:
        """The outbox rows for a saved, recognised message: its event, and its announcement on every route target.

        ``said``: what speakers say instead of the category's template (the
        hub's own short prompts); the event keeps the message's full content
        either way.
        """
        category = message.category
        if category is None:
            return []
        now = timezone.now()
        event = mqtt.Event(
            message_id=message.pk,
            category=category.slug,
            priority=message.priority,  # type: ignore[arg-type]
            rule=message.rule,
            text=message.content[: mqtt.messages.MAX_EVENT_TEXT],  # all a reader of the contract takes
            source=message.source.name,
            app=message.app or None,
            user=message.user_name or None,
            created_at=message.received_at,
        )
        deliveries = [Delivery(message=message, topic=event.topic(self.base, category=category.slug), payload=event.to_json())]

        facts = facts_of(message)
        targets = self.routes.targets(category.slug, facts, message.priority, self.clock())
        if targets:
            text, lang = (said.text, said.lang) if said is not None else (self.spoken(message, facts), message.lang)
            announcement_id = uuid.uuid4().hex
            # Expiry counts from when the platform says it happened: the first poll of
            # a shop with a long history stores every old order, but says none aloud.
            happened = min(message.platform_created_at or now, now)
            expires_at = happened + timedelta(seconds=category.expiry_seconds)
            own = self.priority_sounds.get((category.slug, message.priority), category.sound)
            sound_name = own if said is None or said.sound is None else said.sound
            sound = self.sounds.get(sound_name) if sound_name else None
            for target in targets:
                announcement = mqtt.Announcement(
                    id=announcement_id,
                    message_id=message.pk,
                    category=category.slug,
                    priority=message.priority,  # type: ignore[arg-type]
                    text=text,
                    lang=lang,
                    sound=sound_name or None,
                    sound_url=sound.url if sound else None,
                    sound_sha256=sound.sha256 if sound else None,
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
