from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from hub.access import may_see_details
from hub.health import check_health


def healthz(request: HttpRequest) -> JsonResponse:
    """200 ``{"ok": true, "why": []}`` or 503 with why not. A logged-in user or the API token
    also gets the details: outbox depth, each hub process's broker link and the open alerts."""
    health = check_health(timezone.now())
    body = health.summary()
    if may_see_details(request):
        body.update(health.details)
    return JsonResponse(body, status=200 if health.ok else 503)
