"""What makes the dashboard an installable web app: manifest, service worker, offline page, icons, sounds."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .. import feed
from ..sounds import chime

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("ShopCrier"),
        "short_name": _("ShopCrier"),
        "start_url": reverse("dashboard:feed"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f6f8",
        "theme_color": "#c2410c",
        "icons": [
            {"src": static("dashboard/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("dashboard/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("dashboard/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the root so its scope is the whole dashboard."""
    response = render(request, "dashboard/sw.js", {"offline": reverse("dashboard:offline"), "css": static("dashboard/dashboard.css"), "icon": static("dashboard/icon.svg"),
                        "ack_label": _("Acknowledge")}, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/offline.html")


@require_GET
@cache_control(max_age=86400)
def sound(request: HttpRequest, category: str, priority: str) -> HttpResponse:
    if not _SLUG.match(category) or priority not in feed.PRIORITIES:
        raise Http404("no such sound")
    return HttpResponse(chime(category, priority), content_type="audio/wav")
