from django.contrib import admin
from django.http import HttpRequest

from .models import Notification, PushSubscription, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    list_display = ("name", "kind", "department", "staff", "url_env", "alerts", "per_minute", "enabled")
    list_filter = ("kind", "alerts", "enabled")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin[PushSubscription]):
    list_display = ("staff", "endpoint", "created_at")
    readonly_fields = ("staff", "endpoint", "p256dh", "auth", "created_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """What each channel was told, read-only: the outbox is the sender's to change."""

    list_display = ("message", "target", "status", "attempts", "sent_at", "folded_into", "last_error")
    list_filter = ("status", "target")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
