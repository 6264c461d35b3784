from django.contrib import admin

from .models import Message, Quarantine, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ("name", "adapter", "url", "interval_seconds", "enabled", "last_success_at", "consecutive_failures", "last_error")
    readonly_fields = ("cursor", "last_attempt_at", "last_success_at", "consecutive_failures", "last_error", "last_latency_ms")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("id", "source", "received_at", "category", "priority", "rule", "user_name", "content")
    list_filter = ("source", "category", "priority", "app")
    search_fields = ("content", "user_name", "external_id")
    date_hierarchy = "received_at"


@admin.register(Quarantine)
class QuarantineAdmin(admin.ModelAdmin[Quarantine]):
    list_display = ("created_at", "source", "reason")
    list_filter = ("source",)
