from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from hub.outbox.models import Delivery


def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable, and how much the outbox still owes the broker."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pending = Delivery.objects.filter(status=Delivery.PENDING).count()
    return JsonResponse({"ok": True, "outbox_pending": pending})
