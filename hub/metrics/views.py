"""``GET /metrics``: Prometheus text format, for the API token holder or an allowed address.

Anyone else gets 401 (with no figures): queue depths and alert counts tell an
outsider too much about the shop.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from hub.access import has_api_token

from .allow import allowed
from .collector import HubCollector
from .webhook_timing import REGISTRY as WEBHOOK_REGISTRY


def metrics(request: HttpRequest) -> HttpResponse:
    if not (has_api_token(request) or allowed(request.META.get("REMOTE_ADDR", ""), settings.METRICS_ALLOW)):
        response = HttpResponse("a valid bearer token or an allowed address is required\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="shopcrier"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(timezone.now))
    body = generate_latest(registry) + generate_latest(WEBHOOK_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
