from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hub.rules.corrections import reclassify
from hub.rules.models import Category

from .models import Message, Quarantine, Source

Action = Callable[[Any, HttpRequest, "QuerySet[Message]"], str | None]


def reclassify_as(slug: str, name: str) -> tuple[Action, str, str]:
    """An admin action that reclassifies the chosen messages as category ``slug``; each
    correction is kept as a labelled example the learned fallback trains on."""

    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Message]) -> str | None:
        category = Category.objects.get(slug=slug)
        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            reclassify(pk, category, by=request.user.get_username())
        modeladmin.message_user(
            request, f"{len(ids)} message(s) reclassified as {name} ({slug}); the model learns from them", messages.SUCCESS
        )
        return None

    return action, f"reclassify_as_{slug}", f"Reclassify as {name} ({slug}) and teach the model"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ("name", "adapter", "url", "interval_seconds", "enabled", "last_success_at", "consecutive_failures", "last_error")
    readonly_fields = ("cursor", "last_attempt_at", "last_success_at", "consecutive_failures", "last_error", "last_latency_ms")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("id", "source", "received_at", "category", "priority", "rule", "needs_review", "user_name", "content")
    list_filter = ("needs_review", "source", "category", "priority", "app")
    search_fields = ("content", "user_name", "external_id")
    date_hierarchy = "received_at"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = dict(super().get_actions(request))
        if self.has_change_permission(request):
            for slug, name in Category.objects.order_by("slug").values_list("slug", "name"):
                action, key, description = reclassify_as(slug, name)
                actions[key] = (action, key, description)
        return actions


@admin.register(Quarantine)
class QuarantineAdmin(admin.ModelAdmin[Quarantine]):
    list_display = ("created_at", "source", "reason")
    list_filter = ("source",)
