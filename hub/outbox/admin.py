from django.contrib import admin

from .models import Delivery, Receipt


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("id", "message", "topic", "status", "created_at", "sent_at")
    list_filter = ("status",)
    exclude = ("payload",)


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin[Receipt]):
    list_display = ("at", "node_id", "status", "announcement_id", "message")
    list_filter = ("status", "node_id")
