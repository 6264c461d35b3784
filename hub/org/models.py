"""Subsystems (business units), departments per subsystem, staff per department.

Slugs go into MQTT topics, so they are restricted to what a topic level may
safely hold (see mqtt.topics.check_segment).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from .shifts import WEEKDAYS

topic_slug = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", "letters, digits, - and _ only")


def time_zone_name(value: str) -> None:
    """An IANA time zone name (``Asia/Shanghai``); empty is allowed (inherit)."""
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone name like Asia/Shanghai") from None


class Subsystem(models.Model):
    slug = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """Its speakers follow ``announce/{subsystem}/{department}``. Slugs are unique hub-wide."""

    subsystem = models.ForeignKey(Subsystem, on_delete=models.PROTECT, related_name="departments")
    slug = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[time_zone_name], help_text="its staff's shifts are in this zone; empty: the hub's"
    )

    def __str__(self) -> str:
        return f"{self.subsystem.name} / {self.name}"

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone or settings.TIME_ZONE)


class Staff(models.Model):
    """A person; ``number`` is the employee number (``003``) used in staff topics."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    number = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)
    contact = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[time_zone_name], help_text="their shifts are in this zone; empty: the department's"
    )
    # The dashboard login this person works under (one login, one person); the dashboard's roles read it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff",
        help_text="the dashboard login of this person",
    )
    # Off by default; an admin or a department manager with a login may switch it on (hub/stats/summary.py).
    SUMMARY_OFF, SUMMARY_DAILY, SUMMARY_WEEKLY = "", "daily", "weekly"
    summary = models.CharField(
        max_length=8, blank=True, default=SUMMARY_OFF,
        choices=[(SUMMARY_OFF, "off"), (SUMMARY_DAILY, "daily"), (SUMMARY_WEEKLY, "weekly (Mondays)")],
        help_text="yesterday's (or last week's) numbers sent to this person's own notification targets; "
                  "for admins and department managers with a login",
    )

    class Meta:
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone) if self.timezone else self.department.zone()


class StaffShift(models.Model):
    """One weekly shift: on ``weekday`` (0 Monday .. 6 Sunday) from ``start`` until ``end``,
    in the staff member's time zone. An ``end`` at or before ``start`` runs past midnight
    into the next day (22:00–06:00); ``00:00``–``00:00`` is the whole day."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(choices=list(enumerate(WEEKDAYS)))
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["staff", "weekday", "start"]
        constraints = [
            models.CheckConstraint(name="shift_weekday_0_6", condition=models.Q(weekday__lte=6)),
            models.UniqueConstraint(fields=["staff", "weekday", "start"], name="shift_once"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.number} {WEEKDAYS[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}"


class SpeakerNode(models.Model):
    """A speaker (``shopcrier-node``) and the department whose announcements it says."""

    node_id = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="nodes")
    staff = models.ManyToManyField(Staff, blank=True, help_text="staff whose personal announcements it also says")
    description = models.CharField(max_length=200, blank=True)
    volume = models.PositiveSmallIntegerField(
        default=80, validators=[MaxValueValidator(100)], help_text="0..100, sent to the speaker in its config"
    )
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.node_id
