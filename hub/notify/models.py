"""Where people are told (targets, Web Push subscriptions) and what is owed to each (notifications)."""

from __future__ import annotations

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hub.intake.models import Message
from hub.org.models import Department, Staff


class Target(models.Model):
    """A place notifications go: a department's chat group bot, or one person's own channel.

    ``kind`` names a channel package (``apprise``, ``webpush``). An Apprise
    target's URL (``dingtalk://…``, ``wecombot://…``, ``feishu://…``,
    ``tgram://…``, ``mailto://…``) carries secrets, so the database holds only
    the name of the environment variable that holds it (``url_env``), as
    sources do with their tokens. A ``webpush`` target reaches every browser
    its staff member subscribed from the dashboard.

    ``alerts``: outages (speakers, platform, broker) reach it too, whatever the
    routes say. ``per_minute``: the other side's rate limit (DingTalk: 20 a
    minute a bot); a burst beyond it is folded into one digest.
    """

    kind = models.CharField(max_length=32)
    name = models.CharField(max_length=64, unique=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="notify_targets"
    )
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="notify_targets")
    url_env = models.CharField(
        max_length=100, blank=True, help_text="environment variable holding the channel URL (Apprise targets)"
    )
    alerts = models.BooleanField(default=False, help_text="outage alerts reach it as well")
    per_minute = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1)], help_text="at most this many sends a minute"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="target_department_or_staff",
                condition=Q(department__isnull=False, staff__isnull=True)
                | Q(department__isnull=True, staff__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (from the dashboard's service worker)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.staff} @ {self.endpoint[:60]}"


class Notification(models.Model):
    """One notification owed to one target: for one announced message, or (no ``message``)
    a summary (hub.stats.summary) whose ``title`` and ``body`` were written with it.

    ``key`` travels with it to the other side, so a repeat after a crash can be
    told apart. ``folded_into``: sent as part of that notification's digest.
    ``announcement_id`` is the announcement's id, or for a summary ``summary:<kind>:<first day>``:
    the unique key makes a summary once per period and target, however often it is written.
    """

    PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
    STATUSES = [(PENDING, PENDING), (SENDING, SENDING), (SENT, SENT), (FAILED, FAILED)]

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    announcement_id = models.CharField(max_length=64)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="notifications")
    status = models.CharField(max_length=8, choices=STATUSES, default=PENDING)
    due_at = models.DateTimeField(null=True, blank=True, help_text="not before (a retry's back-off); empty: at once")
    attempts = models.PositiveIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    folded_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="folded")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200, blank=True, help_text="a summary's title (a message's is made when sent)")
    body = models.TextField(blank=True, help_text="a summary's text, in its reader's language")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement_id", "target"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["target", "due_at"], condition=Q(status="pending"), name="notification_due"),
            models.Index(fields=["target", "sent_at"], name="notification_sent"),
        ]

    def __str__(self) -> str:
        what = f"message {self.message_id}" if self.message_id is not None else self.announcement_id
        return f"{self.target.name}: {what} ({self.status})"
