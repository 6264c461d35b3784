from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Delivery, Expectation, Receipt, expectation_counts, outcome


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
        shown = f"{state} ({detail})" if detail else state
        owed = expectation_counts([delivery.announcement_id]).get(delivery.announcement_id, {})
        unanswered = [f"{owed[s]} {s}" for s in (Expectation.WAITING, Expectation.LAPSED) if owed.get(s)]
        return f"{shown}; unanswered: {', '.join(unanswered)}" if unanswered else shown


@admin.register(Expectation)
class ExpectationAdmin(admin.ModelAdmin[Expectation]):
    """Which speaker owes an answer for which announcement, and whether it came."""

    list_display = ("announcement_id", "node_id", "status", "answer", "resent", "next_at", "expires_at")
    list_filter = ("status", "node_id")
    raw_id_fields = ("delivery",)


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin[Receipt]):
    list_display = ("at", "node_id", "status", "announcement_id", "message")
    list_filter = ("status", "node_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Receipt]:
        return super().get_queryset(request).select_related("message")
