"""Sources, the messages they bring (each stored once), and what was refused."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hub.org.models import topic_slug
from hub.rules.models import PRIORITY_CHOICES, Category

ADAPTERS = [
    ("generic", "generic JSON API"),
    ("woocommerce", "WooCommerce REST v3 orders"),
    ("shopify", "Shopify Admin REST orders"),
    ("simulator", "ShopCrier simulator"),
]


def default_cursor() -> dict[str, object]:
    return {"param": "since_id", "field": "id"}


def default_fields() -> dict[str, str]:
    return {
        "id": "id",
        "user_id": "user.id",
        "user": "user.name",
        "content": "content",
        "type": "type",
        "app": "app",
        "created_at": "created_at",
    }


class Source(models.Model):
    """A platform endpoint polled every ``interval_seconds``; ``cursor`` is where the last commit left off.

    The JSON settings mirror the TOML file (docs/config.md):
    ``cursor_config`` {param, field, type: "id" | "timestamp", overlap: seconds};
    ``pagination`` {} | {type: "link_header"} | {type: "next", path} |
    {type: "page", param, size_param, size}; ``auth`` {type, token_env, …};
    ``webhook`` {secret_env}. Secrets are named by environment variable only.
    """

    name = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    adapter = models.CharField(max_length=16, choices=ADAPTERS, default="generic")
    url = models.URLField(max_length=2000)
    interval_seconds = models.PositiveIntegerField(default=5)
    items_path = models.CharField(max_length=200, default="data.items", blank=True)
    fields = models.JSONField(default=default_fields)
    cursor_config = models.JSONField(default=default_cursor)
    pagination = models.JSONField(default=dict, blank=True)
    auth = models.JSONField(default=dict, blank=True, help_text='e.g. {"type": "bearer", "token_env": "SHOP_TOKEN"}')
    webhook = models.JSONField(default=dict, blank=True, help_text='e.g. {"secret_env": "SHOP_WEBHOOK_SECRET"}')
    cursor = models.CharField(max_length=200, blank=True, help_text="where the last committed page left off")
    etag = models.CharField(max_length=200, blank=True, help_text="the last reply's ETag, sent as If-None-Match")
    enabled = models.BooleanField(default=True)
    item_type = models.CharField(
        max_length=100, blank=True, help_text="the platform type of every item that has none of its own (e.g. order)"
    )
    language = models.CharField(
        max_length=16, blank=True, help_text="the language of its messages (zh, en); empty: detected per message"
    )

    # health, read by the health monitor
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One platform message, stored once per ``(source, dedup_key)``: the database says so."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="messages")
    dedup_key = models.CharField(max_length=200)
    external_id = models.CharField(max_length=200, blank=True)
    user_id = models.CharField(max_length=200, blank=True)
    user_name = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    platform_type = models.CharField(max_length=100, blank=True)
    app = models.CharField(max_length=64, blank=True)
    lang = models.CharField(max_length=16, default="zh")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="from the source's amount field, if it maps one"
    )
    currency = models.CharField(max_length=8, blank=True, help_text="from the source's currency field, if it maps one")
    platform_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    raw = models.JSONField(default=dict)

    category = models.ForeignKey(Category, null=True, on_delete=models.SET_NULL, related_name="messages")
    priority = models.CharField(max_length=8, choices=PRIORITY_CHOICES, default="normal")
    rule = models.CharField(max_length=200, blank=True, help_text="the rule that decided the category")
    needs_review = models.BooleanField(
        default=False, help_text="the learned model was not sure: it went to other; reclassify it to teach the model"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "dedup_key"], name="message_once_per_source")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id or self.pk} {self.content[:40]}"


class Quarantine(models.Model):
    """An item or reply that could not be taken, with why; good items beside it were stored."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="quarantine")
    reason = models.TextField()
    raw = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of reason and raw: a re-fetched bad item is kept once")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "quarantine"
        constraints = [models.UniqueConstraint(fields=["source", "fingerprint"], name="quarantine_once")]
