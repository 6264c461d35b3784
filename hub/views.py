from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from hub.monitor.broker import link_summary
from hub.monitor.models import Alert
from hub.outbox.models import Delivery


def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable, how much the outbox still owes the broker, the hub
    processes' broker links (as they last wrote them) and the open alerts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pending = Delivery.objects.filter(status=Delivery.PENDING).count()
    alerts = list(Alert.objects.filter(resolved_at__isnull=True).order_by("opened_at").values_list("key", "text")[:50])
    return JsonResponse(
        {
            "ok": True,
            "outbox_pending": pending,
            **link_summary(timezone.now()),
            "alerts_open": [{"key": key, "text": text} for key, text in alerts],
        }
    )
