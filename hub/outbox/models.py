"""Deliveries (one MQTT publish each) and the receipts speakers send back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from hub.intake.models import Message

from . import wake


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    """Writing deliveries wakes the publisher once the writing transaction commits (hub.outbox.wake)."""

    def bulk_create(self, objs: Iterable[Delivery], *args: Any, **kwargs: Any) -> list[Delivery]:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            wake.soon(self.db)
        return created

    def create(self, **kwargs: Any) -> Delivery:
        created = super().create(**kwargs)
        wake.soon(self.db)
        return created


class Delivery(models.Model):
    """One publish owed to the broker, written in the transaction that routed its message.

    ``announcement_id`` is shared by every topic one announcement goes to, so a
    speaker that follows two of them (its department and a staff member) says
    it once. Events for other tools have an empty ``announcement_id``. A
    digest (hub.attention) speaks for several messages and has no ``message``.

    ``suppressed``: the speakers were to stay silent (quiet hours, or a burst
    folded into a digest); ``cancelled``: the message was acknowledged first.
    Neither is ever sent; screens get every message from its event.

    ``sent`` only means the broker took it (PUBACK): an announcement is done
    when every :class:`Expectation` of it is answered. ``no_speaker``: the
    broker took it but no enrolled speaker follows its topic; a speaker that
    starts following it before it expires still gets it.
    """

    PENDING, SENT, EXPIRED = "pending", "sent", "expired"
    SUPPRESSED, CANCELLED = "suppressed", "cancelled"
    NO_SPEAKER = "no_speaker"
    STATUSES = [
        (PENDING, PENDING),
        (SENT, "sent (PUBACK)"),
        (NO_SPEAKER, "sent, but no speaker follows its topic"),
        (EXPIRED, "expired before sending"),
        (SUPPRESSED, "suppressed (quiet hours or digest)"),
        (CANCELLED, "cancelled (acknowledged first)"),
    ]

    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    announcement_id = models.CharField(max_length=64, blank=True, db_index=True)
    topic = models.CharField(max_length=512)
    payload = models.BinaryField()
    qos = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "topic", "announcement_id"], name="delivery_once"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="delivery_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.status})"

    def speakers(self) -> dict[str, int]:
        """What speakers reported for this delivery's announcement: ``{"played": 2, "failed": 1}``."""
        return receipt_counts([self.announcement_id]).get(self.announcement_id, {}) if self.announcement_id else {}


class Receipt(models.Model):
    """What one speaker did with one announcement; a QoS 1 repeat changes nothing."""

    STATUSES = [("played", "played"), ("failed", "failed"), ("expired", "expired")]

    announcement_id = models.CharField(max_length=64, db_index=True)
    node_id = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=STATUSES)
    message = models.ForeignKey(Message, null=True, on_delete=models.CASCADE, related_name="receipts")
    at = models.DateTimeField()
    detail = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement_id", "node_id", "status"], name="receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.status} {self.announcement_id}"


class Expectation(models.Model):
    """One speaker owing the hub an answer (a stored receipt) for one announcement.

    Written when the announcement is handed to the broker, for every enabled
    speaker that follows one of its topics then, and for a speaker that asks
    for what it missed (new, or moved to another department) while the
    announcement is unexpired. ``waiting`` until a receipt from that speaker is
    stored (``answered``, with its status in ``answer``); ``lapsed`` when it
    expired unanswered (a late receipt still answers it). While waiting and the
    speaker is online it is sent again, under the same id, at ``next_at``.
    """

    WAITING, ANSWERED, LAPSED = "waiting", "answered", "lapsed"
    STATUSES = [(WAITING, WAITING), (ANSWERED, ANSWERED), (LAPSED, "lapsed (expired unanswered)")]

    announcement_id = models.CharField(max_length=64)
    node_id = models.CharField(max_length=64)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="expectations")
    status = models.CharField(max_length=8, choices=STATUSES, default=WAITING)
    answer = models.CharField(max_length=8, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_at = models.DateTimeField()
    resent = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement_id", "node_id"], name="expectation_once"),
        ]
        indexes = [
            models.Index(fields=["next_at"], condition=models.Q(status="waiting"), name="expectation_waiting"),
            models.Index(fields=["node_id", "status"], name="expectation_node"),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.status} {self.announcement_id}"


def expectation_counts(announcement_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per announcement, how many speakers are ``waiting``, ``answered`` or ``lapsed``, in one query."""
    return _status_counts(Expectation, announcement_ids)


def receipt_counts(announcement_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per announcement, how many speakers reported each status, in one query."""
    return _status_counts(Receipt, announcement_ids)


def _status_counts(model: type[Expectation] | type[Receipt], announcement_ids: list[str]) -> dict[str, dict[str, int]]:
    rows = (
        model.objects.filter(announcement_id__in=announcement_ids)
        .values_list("announcement_id", "status")
        .annotate(n=models.Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for announcement_id, status, n in rows:
        counts.setdefault(announcement_id, {})[status] = n
    return counts


def outcome(counts: dict[str, int], status: str) -> str:
    """One word for an announcement's state: its delivery status until a speaker reports,
    then ``played`` if any speaker played it, else ``failed`` or ``expired``."""
    for state in ("played", "failed", "expired"):
        if counts.get(state):
            return state
    return status
