"""Daily rollups (the numbers every report reads), the fill's bookmark, per-category targets.

A :class:`DailyCount` row is one day in the shop's time zone
(``settings.STATS_TIME_ZONE``) for one audience (department, staff member) and
one breakdown (none, or by app, category, source or priority); its measures are
counts of messages and of what became of them, and response-time histograms
(hub.stats.buckets).
The unique key over those dimensions lets the fill recompute a day and write
it again without ever counting anything twice. Dimensions are stored as slugs,
not foreign keys, so deleting a source or a person later never loses a count.
"""

from __future__ import annotations

from django.db import models

from hub.intake.models import Message
from hub.rules.models import Category

from .buckets import COUNT

# A message is counted once in each breakdown: "" (no breakdown: totals, days, departments,
# people) and one row per dimension below, under its value.
DIMENSIONS = ("app", "category", "source", "priority")
OUTCOMES = ("played", "acknowledged", "escalated", "expired", "no_speaker")
PLAYED_BUCKETS = tuple(f"played_b{i:02d}" for i in range(COUNT))
ACK_BUCKETS = tuple(f"ack_b{i:02d}" for i in range(COUNT))
# Every measure column of a rollup row, in the order the fill writes them.
MEASURES = ("messages", "played", "acknowledged", "escalated", "expired", "no_speaker", "sla_breaches",
            "played_n", "played_seconds", "ack_n", "ack_seconds", *PLAYED_BUCKETS, *ACK_BUCKETS)


class DailyCount(models.Model):
    """One shop-day × one audience (department, staff member) × one breakdown.

    ``dimension`` "" with ``value`` "" holds every message of the day and audience;
    ``dimension`` "category" holds them again split by category slug in ``value``
    (and so for "app", "source", "priority"). Reports read one breakdown at a time,
    so a year is a few thousand rows per report, not the product of all dimensions.

    ``messages``: messages received that day. ``played`` … ``no_speaker``:
    how many of them each outcome befell (a message may count in several: it
    can be played and acknowledged). ``played_n``/``played_seconds``: the
    messages with a first ``played`` receipt and the sum of their waits
    received → first played; ``ack_*`` the same for received → acknowledged;
    ``*_bNN`` their histograms. ``sla_breaches``: messages acknowledged later
    than their category's target, or not acknowledged when it had passed.
    """

    day = models.DateField()
    department = models.CharField(max_length=64, blank=True, help_text="empty: announced to every speaker, or to none")
    staff = models.CharField(max_length=64, blank=True, help_text="the staff number of a personal announcement")
    dimension = models.CharField(max_length=16, blank=True, help_text="empty, app, category, source or priority")
    value = models.CharField(max_length=64, blank=True, help_text="the app, category slug, source name or priority")

    messages = models.PositiveIntegerField(default=0)
    played = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    no_speaker = models.PositiveIntegerField(default=0)
    sla_breaches = models.PositiveIntegerField(default=0)
    played_n = models.PositiveIntegerField(default=0)
    played_seconds = models.FloatField(default=0.0)
    ack_n = models.PositiveIntegerField(default=0)
    ack_seconds = models.FloatField(default=0.0)

    for _name in PLAYED_BUCKETS + ACK_BUCKETS:
        locals()[_name] = models.PositiveIntegerField(default=0)
    del _name

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "department", "staff", "dimension", "value"], name="daily_count_once"),
        ]
        indexes = [models.Index(fields=["dimension", "day"], name="daily_count_dimension_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department} {self.dimension}={self.value} {self.messages}"


class MonthlyCount(models.Model):
    """A closed month's :class:`DailyCount` rows summed per audience and breakdown (hub.stats.months),
    so a report over a year reads twelve rows where it would read 365. Only a month whose
    :class:`RollupMonth` says it is fresh is read; the others are read from the days."""

    month = models.DateField(help_text="its first day")
    department = models.CharField(max_length=64, blank=True)
    staff = models.CharField(max_length=64, blank=True)
    dimension = models.CharField(max_length=16, blank=True)
    value = models.CharField(max_length=64, blank=True)

    # the same measures as DailyCount's (written by hub.stats.months in SQL, read by reports as sums)
    for _name in MEASURES:
        locals()[_name] = models.FloatField(default=0.0) if _name.endswith("_seconds") else models.PositiveIntegerField(default=0)
    del _name

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "department", "staff", "dimension", "value"], name="monthly_count_once"),
        ]
        indexes = [models.Index(fields=["dimension", "month"], name="monthly_count_dimension_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department} {self.dimension}={self.value}"


class RollupMonth(models.Model):
    """A month whose :class:`MonthlyCount` rows were summed (``stale`` False), or whose days changed
    since (``stale`` True: reports read its days until it is summed again)."""

    month = models.DateField(unique=True)
    stale = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}{' (stale)' if self.stale else ''}"


class HourlyCount(models.Model):
    """Messages received in one hour (0-23, the shop's clock) of one shop-day, by category and
    audience: what the weekday × hour heat map and "today so far" read. Written with the day's
    :class:`DailyCount` rows, in the same transaction."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=64, blank=True)
    department = models.CharField(max_length=64, blank=True)
    staff = models.CharField(max_length=64, blank=True)
    messages = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "hour", "category", "department", "staff"], name="hourly_count_once"),
            models.CheckConstraint(name="hourly_count_hour", condition=models.Q(hour__lte=23)),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}h {self.category} {self.messages}"


class FillState(models.Model):
    """Where the fill stands. ``done_through``: the last day written (a rerun starts a few
    days before it, for late receipts and acknowledgements). ``frozen_before``: days before
    this were purged of raw messages and are never recomputed."""

    name = models.CharField(max_length=32, unique=True)
    done_through = models.DateField(null=True, blank=True)
    frozen_before = models.DateField(null=True, blank=True)
    last_purge_at = models.DateTimeField(null=True, blank=True)
    facts_since = models.DateField(
        null=True, blank=True, help_text="every message from this day on has its MessageFact: the fill is incremental"
    )

    def __str__(self) -> str:
        return f"{self.name}: through {self.done_through}"


class CategoryTarget(models.Model):
    """A category's service target and how long its raw data is kept.

    ``ack_seconds``: a message not acknowledged within this is an SLA breach.
    ``retention_days``: its messages (with their deliveries, receipts and
    acknowledgements) are purged this many days after they were received. A
    category without a row uses ``settings.STATS_DEFAULT_ACK_SECONDS`` and
    ``settings.STATS_RETENTION_DAYS``.
    """

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="target")
    ack_seconds = models.PositiveIntegerField(default=600)
    retention_days = models.PositiveIntegerField(default=90)

    class Meta:
        constraints = [models.CheckConstraint(name="retention_at_least_a_week", condition=models.Q(retention_days__gte=7))]

    def __str__(self) -> str:
        return f"{self.category}: ack within {self.ack_seconds} s, kept {self.retention_days} d"


class Erasure(models.Model):
    """A staff member whose data was erased on request: their number appears in rollups
    (and in every later fill) only as ``token``, so counts stay whole and name no one."""

    number = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.token


class MessageFact(models.Model):
    """What one message counts for in the rollups, as last added to them (hub.stats.incremental).

    The incremental fill recomputes a changed message's fact, subtracts the old
    one from its rollup rows and adds the new one, so a day's rows stay equal to
    a recomputation from scratch while each round touches only what changed.
    Deleted with its message (a purge): the rollups keep what it added.

    ``day``/``hour``: when it was received, on the shop's clock. ``source`` …
    ``staff``: its dimensions, as in :class:`DailyCount`. ``played_after`` /
    ``acked_after``: seconds from receipt (None: not yet). ``due_at``: when an
    unacknowledged message misses its category's target; None once it did, or
    once it was acknowledged (time can change nothing more about it).
    """

    message = models.OneToOneField(Message, primary_key=True, on_delete=models.CASCADE, related_name="stats_fact")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=64, blank=True)
    app = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=64, blank=True)
    priority = models.CharField(max_length=8, blank=True)
    department = models.CharField(max_length=64, blank=True)
    staff = models.CharField(max_length=64, blank=True)
    played_after = models.FloatField(null=True, blank=True)
    acked_after = models.FloatField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    expired = models.BooleanField(default=False)
    no_speaker = models.BooleanField(default=False)
    breached = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(due_at__isnull=False), name="message_fact_due"),
            models.Index(fields=["day"], name="message_fact_day"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.day} {self.category}"


class Changed(models.Model):
    """A message whose outcome may have changed since the last round: written by database
    triggers (hub.stats.triggers) in the very transaction that changed it (stored, played,
    acknowledged, chased, expired, no speaker), read and deleted by the incremental fill.
    No foreign key: the message may be purged before the fill reads the row.

    One row per message (unique): a trigger finding the message already noted does nothing,
    so the five or so writes that store, play and acknowledge a message leave one or two
    notes, not five (migration 0004; hub.stats.triggers)."""

    message_id = models.BigIntegerField(unique=True)

    class Meta:
        db_table = "stats_changed"

    def __str__(self) -> str:
        return f"message {self.message_id}"
