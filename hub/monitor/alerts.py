"""Opening and resolving alerts, with flap damping; each change is a message like any other.

:func:`raise_alert` and :func:`clear_alert` are called by the checks on every
state change they see. In one transaction they write the :class:`Alert` row
and, when the change is to be announced, a ``system`` message in the built-in
source ``shopcrier-monitor`` with its deliveries: through the pipeline's routes
(the default routes send ``system`` to the technical department), to each
:class:`AlertRecipient` personally, and as an :class:`mqtt.Alert` on
``alerts`` for other tools. The outbox publisher sends them.

Flapping (the Nagios/Healthchecks idea): a subject that opened
``FLAP_LIMIT`` alerts within ``FLAP_WINDOW`` opens its next one as
``flapping``. That one is announced once, absorbs the ups and downs that
follow without a word, and is resolved only when the subject has stayed
healthy for ``FLAP_WINDOW``.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

import mqtt
from hub.intake.models import Message, Source
from hub.notify.fanout import notify_for
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline, Said
from hub.rules.classify import detect_language
from hub.rules.models import Category
from hub.sounds.language import hub_language

from .models import MONITOR_SOURCE, Alert, AlertRecipient
from .spoken import spoken_alert

log = logging.getLogger(__name__)

ALERT_CATEGORY = "system"
RESOLVED_SOUND = "chime"  # played before a resolved alert instead of the system category's alarm
FLAP_LIMIT = 3
FLAP_WINDOW = timedelta(minutes=10)


def raise_alert(key: str, kind: str, subject: str, text: str, now: datetime, base: str) -> Alert | None:
    """The subject is unhealthy. Open its alert (announced) unless one is open;
    a flapping one only counts the change. Returns the alert newly opened, else None."""
    current = Alert.objects.filter(key=key, resolved_at__isnull=True).first()
    if current is not None:
        if current.state == Alert.FLAPPING and current.healthy_since is not None:
            Alert.objects.filter(pk=current.pk).update(healthy_since=None, flaps=current.flaps + 1, last_change_at=now)
        return None
    recent = Alert.objects.filter(key=key, opened_at__gte=now - FLAP_WINDOW).count()
    flapping = recent >= FLAP_LIMIT
    if flapping:
        text = f"{subject} is flapping ({recent} outages in {FLAP_WINDOW.seconds // 60} min); latest: {text}"
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                key=key, kind=kind, subject=subject, text=text, opened_at=now, last_change_at=now,
                state=Alert.FLAPPING if flapping else Alert.OPEN,
            )
            announce(alert, "opened", now, base)
    except IntegrityError:  # another monitor opened it first: theirs is the one
        return None
    log.error("alert opened: %s", text)
    return alert


def clear_alert(key: str, text: str, now: datetime, base: str) -> Alert | None:
    """The subject is healthy. Resolve its open alert (announced); a flapping one
    only notes since when. Returns the alert resolved, else None."""
    current = Alert.objects.filter(key=key, resolved_at__isnull=True).first()
    if current is None:
        return None
    if current.state == Alert.FLAPPING:
        if current.healthy_since is None:
            Alert.objects.filter(pk=current.pk).update(healthy_since=now, flaps=current.flaps + 1, last_change_at=now)
        return None
    return _resolve(current, text, now, base)


def close_alert(key: str, text: str, now: datetime, base: str) -> Alert | None:
    """The subject is gone for good (a revoked speaker): resolve its open alert, flapping or
    not, announced. Returns the alert resolved, else None."""
    current = Alert.objects.filter(key=key, resolved_at__isnull=True).first()
    return None if current is None else _resolve(current, text, now, base)


def settle_flapping(now: datetime, base: str) -> int:
    """Resolve each flapping alert whose subject has been healthy for ``FLAP_WINDOW``."""
    settled = 0
    stable = Alert.objects.filter(state=Alert.FLAPPING, resolved_at__isnull=True, healthy_since__lte=now - FLAP_WINDOW)
    for alert in stable:
        text = f"{alert.subject} is stable again (healthy for {FLAP_WINDOW.seconds // 60} min)"
        settled += _resolve(alert, text, now, base) is not None
    return settled


def _resolve(alert: Alert, text: str, now: datetime, base: str) -> Alert | None:
    with transaction.atomic():
        claimed = Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            state=Alert.RESOLVED, resolved_at=now, last_change_at=now
        )
        if not claimed:  # another monitor resolved it
            return None
        alert.state, alert.resolved_at, alert.last_change_at = Alert.RESOLVED, now, now
        announce(alert, "resolved", now, base, text)
    log.warning("alert resolved: %s", text)
    return alert


def monitor_source() -> Source:
    """The built-in source alert messages belong to; disabled, so the poller never polls it."""
    source, _ = Source.objects.get_or_create(
        name=MONITOR_SOURCE,
        defaults={"adapter": "generic", "url": "http://localhost/shopcrier-monitor", "enabled": False},
    )
    return source


def announce(alert: Alert, state: str, now: datetime, base: str, text: str | None = None) -> Message:
    """Write the alert's change as a ``system`` message with its deliveries (inside the caller's transaction)."""
    text = text or alert.text
    message = Message(
        source=monitor_source(),
        dedup_key=f"alert:{alert.pk}:{state}",
        external_id=f"alert-{alert.pk}",
        user_name=MONITOR_SOURCE,
        content=text,
        platform_type=f"system.alert.{state}",
        lang=detect_language(text),
        platform_created_at=now,
        received_at=now,
        raw={"alert": alert.key, "kind": alert.kind, "state": state},
    )
    pipeline = Pipeline.from_db(clock=lambda: now)
    pipeline.recognise(message)
    # An alert is a system message whatever an admin's rules make of its words.
    category = Category.objects.filter(slug=ALERT_CATEGORY).first()
    if category is not None:
        message.category, message.priority, message.rule = category, category.priority, "monitor"
    message.save()
    lang = hub_language()
    # Speakers hear a few words (good news after a gentle chime, not the alarm); screens and `alerts` get `text`.
    said = Said(spoken_alert(alert, state, lang), lang, sound=RESOLVED_SOUND if state == "resolved" else None)
    deliveries = pipeline.deliveries(message, said)
    deliveries += _to_recipients(message, pipeline, deliveries, base, said)
    payload = mqtt.Alert(id=f"alert-{alert.pk}", state=state, subject=alert.subject,  # type: ignore[arg-type]
                         text=text[: mqtt.messages.MAX_EVENT_TEXT], at=now)
    deliveries.append(Delivery(message=message, topic=payload.topic(base), payload=payload.to_json()))
    Delivery.objects.bulk_create(deliveries)
    notify_for(deliveries, base)
    return message


def _to_recipients(
    message: Message, pipeline: Pipeline, routed: list[Delivery], base: str, said: Said
) -> list[Delivery]:
    """The announcement again on each alert recipient's personal topic, unless a route already sent it there."""
    recipients = AlertRecipient.objects.select_related("staff__department__subsystem")
    spoken = next((mqtt.Announcement.from_json(bytes(d.payload)) for d in routed if d.announcement_id), None)
    if spoken is None and message.category is not None:
        sound_name = message.category.sound if said.sound is None else said.sound
        spoken = mqtt.Announcement(
            id=uuid.uuid4().hex, message_id=message.pk, category=message.category.slug,
            priority=message.priority,  # type: ignore[arg-type]
            text=said.text, lang=said.lang, sound=sound_name or None,
            sound_url=sound.url if (sound := pipeline.sounds.get(sound_name)) else None,
            sound_sha256=sound.sha256 if sound else None,
            created_at=message.received_at,
            expires_at=message.received_at + timedelta(seconds=message.category.expiry_seconds),
            route=mqtt.Route(),
        )
    if spoken is None:
        return []
    taken = {d.topic for d in routed}
    extra = []
    for recipient in recipients:
        staff = recipient.staff
        route = mqtt.Route(staff.department.subsystem.slug, staff.department.slug, staff.number)
        personal = dataclasses.replace(spoken, route=route)
        if personal.topic(base) in taken:
            continue
        extra.append(Delivery(
            message=message, announcement_id=personal.id, topic=personal.topic(base),
            payload=personal.to_json(), expires_at=personal.expires_at,
        ))
    return extra
