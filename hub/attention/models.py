"""What keeps a message in front of people until someone takes it, and what keeps
speakers from drowning them: acknowledgements, escalation, quiet hours, digests.

See docs/architecture.md ("Attention") for the semantics.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from hub.intake.models import Message
from hub.org.models import Department, Staff, time_zone_name
from hub.org.shifts import WEEKDAYS, in_window, parse_weekdays
from hub.rules.models import Category


# Kept under this name: migration attention/0001 refers to it.
zone_name = time_zone_name


def weekday_list(value: str) -> None:
    try:
        parse_weekdays(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class Acknowledgement(models.Model):
    """Someone took the message: its reminders stop and its unsent announcements are cancelled.

    One per message (the database says so); acknowledging again keeps the first.
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="acknowledgement")
    by = models.CharField(max_length=100, help_text="who acknowledged: a staff number or a user name")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.message_id} acknowledged by {self.by}"


class EscalationPolicy(models.Model):
    """An open (unacknowledged) message of this category is announced again every
    ``after_minutes`` minutes, ``repeat`` times, then once to the escalation target
    (a department's speakers or one staff member's), if one is set.

    Only messages received after the policy was created are chased: adding a
    policy does not remind anyone of last year's orders.
    """

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="escalation_policy")
    after_minutes = models.PositiveIntegerField(default=5)
    repeat = models.PositiveSmallIntegerField(default=2, help_text="reminders before escalating")
    escalate_to_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    escalate_to_staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "escalation policies"
        constraints = [
            models.CheckConstraint(
                name="escalation_one_target",
                condition=models.Q(escalate_to_department__isnull=True) | models.Q(escalate_to_staff__isnull=True),
            ),
            models.CheckConstraint(name="escalation_after_positive", condition=models.Q(after_minutes__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.category}: every {self.after_minutes} min ×{self.repeat}"

    @property
    def rounds(self) -> int:
        """Reminders plus the escalation, when there is a target."""
        has_target = self.escalate_to_department_id is not None or self.escalate_to_staff_id is not None
        return self.repeat + (1 if has_target else 0)


class FollowUp(models.Model):
    """Where the chase of one open message stands. ``rounds`` is compared-and-set
    by whoever writes the next round, so two workers never write the same one."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="follow_up")
    rounds = models.PositiveSmallIntegerField(default=0, help_text="reminders and escalation written so far")
    last_announced_at = models.DateTimeField()
    done = models.BooleanField(default=False, db_index=True, help_text="acknowledged, or every round written")

    def __str__(self) -> str:
        return f"{self.message_id}: round {self.rounds}"


class QuietHours(models.Model):
    """A weekly window in which the department's speakers stay silent except for
    urgent messages (screens still show everything).

    ``weekdays`` are the days the window starts on; an ``end`` before ``start``
    runs past midnight (22:00–07:00); ``start == end`` is empty, as on the node.
    """

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="quiet_hours")
    weekdays = models.CharField(max_length=27, default=",".join(WEEKDAYS), validators=[weekday_list], help_text="mon,tue,…")
    start = models.TimeField()
    end = models.TimeField()
    timezone = models.CharField(max_length=64, blank=True, validators=[zone_name], help_text="empty: the hub's time zone")

    class Meta:
        verbose_name_plural = "quiet hours"

    def __str__(self) -> str:
        return f"{self.department} {self.weekdays} {self.start:%H:%M}-{self.end:%H:%M}"

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone or settings.TIME_ZONE)

    def covers(self, when: datetime) -> bool:
        return in_window(parse_weekdays(self.weekdays), self.start, self.end, when.astimezone(self.zone()))


class DigestPolicy(models.Model):
    """More than ``max_announcements`` announcements to the department within
    ``window_seconds``: the rest of the burst is folded into one spoken digest."""

    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="digest_policy")
    max_announcements = models.PositiveIntegerField(default=5)
    window_seconds = models.PositiveIntegerField(default=60)

    class Meta:
        verbose_name_plural = "digest policies"
        constraints = [models.CheckConstraint(name="digest_window_positive", condition=models.Q(window_seconds__gte=1))]

    def __str__(self) -> str:
        return f"{self.department}: more than {self.max_announcements} in {self.window_seconds} s"


class Digest(models.Model):
    """A burst being folded: what was kept from the speakers between ``opened_at``
    and ``closes_at``, by category and language. When it closes, one digest
    announcement is written (``sent_at``) on the department's topic."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="digests")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    counts = models.JSONField(default=dict, help_text="category slug → announcements folded")
    langs = models.JSONField(default=dict, help_text="language → announcements folded")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="when its announcement was written to the outbox")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department"], condition=models.Q(sent_at__isnull=True), name="one_open_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.opened_at:%H:%M:%S} {self.counts}"
