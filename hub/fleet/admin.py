from django.contrib import admin
from django.http import HttpRequest

from .models import NodeCredential


@admin.register(NodeCredential)
class NodeCredentialAdmin(admin.ModelAdmin[NodeCredential]):
    """Read-only: credentials change through `shopcrier-hub fleet`, which also rewrites the broker's files."""

    list_display = ("node", "issued_at")
    readonly_fields = ("node", "password_hash", "issued_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: NodeCredential | None = None) -> bool:
        return False
