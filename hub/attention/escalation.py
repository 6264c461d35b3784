"""Chasing open messages: reminders, then escalation (what Grafana OnCall and PagerDuty do).

:func:`escalate_due` is the worker step. Each round is claimed by a
compare-and-set on ``FollowUp.rounds`` in the transaction that writes the
round's outbox rows, so two workers never write the same round, and a crash
writes it whole or not at all. An acknowledgement ends the chase at once: the
claim refuses an acknowledged message.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Min, Q

import mqtt
from hub.intake.models import Message
from hub.notify.fanout import notify_for
from hub.outbox.models import Delivery

from .models import EscalationPolicy, FollowUp

log = logging.getLogger(__name__)

REMINDER = {"zh": "再次提醒：", "en": "Reminder: "}
ESCALATED = {"zh": "升级提醒：", "en": "Escalated: "}
_RANK = {"normal": 0, "high": 1, "urgent": 2}


def escalate_due(now: datetime, base: str) -> int:
    """Write every round that is due at ``now``; return how many were written."""
    start_following(now)
    written = 0
    due = (
        FollowUp.objects.filter(done=False, message__acknowledgement__isnull=True)
        .select_related("message__category__escalation_policy")
        .order_by("id")
    )
    for follow_up in due:
        category = follow_up.message.category
        policy = getattr(category, "escalation_policy", None) if category is not None else None
        if policy is None:  # the policy was removed: nothing more to chase
            FollowUp.objects.filter(pk=follow_up.pk).update(done=True)
            continue
        if follow_up.last_announced_at + timedelta(minutes=policy.after_minutes) <= now:
            written += write_round(follow_up, policy, now, base)
    return written


def start_following(now: datetime) -> int:
    """A follow-up for each open message that was announced and whose category has a policy."""
    fresh = (
        Message.objects.filter(
            category__escalation_policy__isnull=False,
            received_at__gte=F("category__escalation_policy__created_at"),
            acknowledgement__isnull=True,
            follow_up__isnull=True,
        )
        .annotate(first=Min("deliveries__created_at", filter=~Q(deliveries__announcement_id="")))
        .filter(first__isnull=False)
        .values_list("id", "first")
    )
    rows = [FollowUp(message_id=pk, last_announced_at=first) for pk, first in fresh]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)  # another worker may have made some
    return len(rows)


def write_round(follow_up: FollowUp, policy: EscalationPolicy, now: datetime, base: str) -> int:
    """Claim round ``follow_up.rounds + 1`` and write its deliveries; 0 if someone else
    claimed it, or the message was acknowledged meanwhile."""
    total = policy.rounds
    round_no = follow_up.rounds + 1
    with transaction.atomic():
        claimed = FollowUp.objects.filter(
            pk=follow_up.pk, rounds=follow_up.rounds, done=False, message__acknowledgement__isnull=True
        ).update(rounds=min(round_no, total), last_announced_at=now, done=round_no >= total)
        if not claimed or round_no > total:
            return 0
        deliveries = _round_deliveries(follow_up.message, policy, round_no, now, base)
        Delivery.objects.bulk_create(deliveries)
        notify_for(deliveries, base)
    log.info("message %s: %s (round %d of %d)", follow_up.message_id,
             "reminder" if round_no <= policy.repeat else "escalated", round_no, total)
    return 1 if deliveries else 0


def _round_deliveries(message: Message, policy: EscalationPolicy, round_no: int, now: datetime, base: str) -> list[Delivery]:
    first = (
        Delivery.objects.filter(message=message).exclude(announcement_id="").order_by("id").values_list("announcement_id", flat=True).first()
    )
    originals = [
        mqtt.Announcement.from_json(bytes(p))
        for p in Delivery.objects.filter(message=message, announcement_id=first).order_by("id").values_list("payload", flat=True)
    ]
    if not originals:
        return []
    expiry = timedelta(seconds=message.category.expiry_seconds if message.category else 1800)
    new_id = uuid.uuid4().hex
    lang = "zh" if originals[0].lang == "zh" else "en"
    if round_no <= policy.repeat:
        announcements = [
            dataclasses.replace(a, id=new_id, text=REMINDER[lang] + a.text, created_at=now, expires_at=now + expiry)
            for a in originals
        ]
    else:
        a = originals[0]
        priority = a.priority if _RANK[a.priority] >= _RANK["high"] else "high"
        announcements = [
            dataclasses.replace(a, id=new_id, text=ESCALATED[lang] + a.text, route=escalation_route(policy),
                                priority=priority, created_at=now, expires_at=now + expiry)
        ]
    return [
        Delivery(message=message, announcement_id=new_id, topic=a.topic(base), payload=a.to_json(),
                 expires_at=a.expires_at, created_at=now)
        for a in announcements
    ]


def escalation_route(policy: EscalationPolicy) -> mqtt.Route:
    if policy.escalate_to_staff is not None:
        staff = policy.escalate_to_staff
        return mqtt.Route(staff.department.subsystem.slug, staff.department.slug, staff.number)
    department = policy.escalate_to_department
    assert department is not None
    return mqtt.Route(department.subsystem.slug, department.slug)
