from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Delivery, Receipt, outcome


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """Each delivery with what the speakers did with it: published → played / failed / expired."""

    list_display = ("id", "message", "topic", "status", "speakers", "created_at", "sent_at")
    list_filter = ("status",)
    exclude = ("payload",)

    @admin.display(description="speakers")
    def speakers(self, delivery: Delivery) -> str:
        if not delivery.announcement_id:
            return "-"
        counts = delivery.speakers()  # one indexed query a row; a page shows 100
        detail = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
        state = outcome(counts, delivery.status)
        return f"{state} ({detail})" if detail else state


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin[Receipt]):
    list_display = ("at", "node_id", "status", "announcement_id", "message")
    list_filter = ("status", "node_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Receipt]:
        return super().get_queryset(request).select_related("message")
