"""What the health monitor knows: each speaker's health, the hub's broker links, and alerts.

The database is the source of truth for alerts: an alert key is open at most
once (a partial unique constraint), and opening or resolving one is claimed by
a conditional write, so several monitor processes never announce it twice.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hub.org.models import Staff

# The built-in source alert messages belong to (disabled: never polled; not part of the config file).
MONITOR_SOURCE = "shopcrier-monitor"


class NodeHealth(models.Model):
    """One speaker as its heartbeats and retained status describe it.

    ``late_at``: when the next heartbeat is overdue (last heard + its interval);
    ``down_at``: when the speaker counts as down (+ grace). Both are written on
    ingest, so :func:`hub.monitor.nodes.check_nodes` reads only rows whose state
    changes, whatever the fleet size. An ``offline`` status is down at once.
    """

    UP, LATE, DOWN, UNKNOWN = "up", "late", "down", "unknown"
    STATUSES = [(UP, UP), (LATE, LATE), (DOWN, DOWN), (UNKNOWN, UNKNOWN)]
    ONLINE, OFFLINE = "online", "offline"

    node_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=8, choices=STATUSES, default=UNKNOWN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    interval_s = models.PositiveIntegerField(default=30, help_text="seconds between heartbeats, as the node says")
    last_status = models.CharField(max_length=8, blank=True, help_text="the retained online/offline")
    last_status_at = models.DateTimeField(null=True, blank=True)
    late_at = models.DateTimeField(null=True, blank=True, db_index=True)
    down_at = models.DateTimeField(null=True, blank=True, db_index=True)
    telemetry = models.JSONField(default=dict, blank=True, help_text="the last heartbeat as sent")

    class Meta:
        verbose_name_plural = "node health"

    def __str__(self) -> str:
        return f"{self.node_id} {self.status}"


class Alert(models.Model):
    """An outage or communication problem, from opening to resolution.

    ``key`` names the subject (``node:spk-1``, ``source:shop``,
    ``source:shop:slow``, ``broker:<client id>``) and is open at most once.
    ``flapping``: the subject went down and up too often; it stays open, its
    transitions unannounced, until the subject has been healthy for a while
    (``healthy_since``).
    """

    NODE, SOURCE, BROKER = "node", "source", "broker"
    KINDS = [(NODE, "speaker node"), (SOURCE, "platform source"), (BROKER, "hub ↔ broker")]
    OPEN, FLAPPING, RESOLVED = "open", "flapping", "resolved"
    STATES = [(OPEN, OPEN), (FLAPPING, FLAPPING), (RESOLVED, RESOLVED)]

    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=KINDS)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    state = models.CharField(max_length=9, choices=STATES, default=OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    flaps = models.PositiveIntegerField(default=0, help_text="down/up changes while flapping")
    last_change_at = models.DateTimeField(default=timezone.now)
    healthy_since = models.DateTimeField(null=True, blank=True, help_text="while flapping: healthy since")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(resolved_at__isnull=True), name="alert_open_once"),
        ]
        indexes = [models.Index(fields=["key", "opened_at"], name="alert_key_opened")]

    def __str__(self) -> str:
        return f"{self.key} {self.state}"


class AlertRecipient(models.Model):
    """A staff member who receives every outage alert personally (on top of the routes' department)."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="alert_recipient")

    def __str__(self) -> str:
        return str(self.staff)


class LinkState(models.Model):
    """A hub process's broker link, written by that process so /healthz (which has no link) can read it.

    ``seen_at`` is refreshed every few seconds: a row not refreshed lately
    belongs to a process that is gone.
    """

    client_id = models.CharField(max_length=128, unique=True)
    up = models.BooleanField(default=False)
    since = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    problem = models.CharField(max_length=300, blank=True, default="",
                               help_text="while down: the broker's URL (no password) and why, in words")

    def __str__(self) -> str:
        return f"{self.client_id} {'up' if self.up else 'down'}"


class MetricsSnapshot(models.Model):
    """The counts over the large tables (messages, deliveries, receipts) that ``/metrics`` shows,
    taken every minute by one hub process (:mod:`hub.metrics.snapshot`) so a scrape reads one row
    instead of counting hundreds of thousands. One row, ``name`` "hub".

    ``claimed_at``: when a process last set out to take it (a conditional update, so one process
    counts per minute); ``taken_at``: when the counts in ``figures`` were taken; ``took_ms``: how
    long counting took.
    """

    name = models.CharField(max_length=16, unique=True, default="hub")
    claimed_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    took_ms = models.FloatField(default=0.0)
    figures = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"metrics snapshot taken {self.taken_at}"
