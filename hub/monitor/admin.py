from __future__ import annotations

from django.contrib import admin

from .models import Alert, AlertRecipient, LinkState, NodeHealth


@admin.register(NodeHealth)
class NodeHealthAdmin(admin.ModelAdmin[NodeHealth]):
    list_display = ["node_id", "status", "last_heartbeat_at", "last_status", "interval_s"]
    list_filter = ["status"]
    search_fields = ["node_id"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ["key", "kind", "state", "opened_at", "resolved_at", "flaps"]
    list_filter = ["kind", "state"]
    search_fields = ["key", "subject"]


@admin.register(AlertRecipient)
class AlertRecipientAdmin(admin.ModelAdmin[AlertRecipient]):
    list_display = ["staff"]


@admin.register(LinkState)
class LinkStateAdmin(admin.ModelAdmin[LinkState]):
    list_display = ["client_id", "up", "since", "seen_at"]
