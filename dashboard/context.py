"""Template context on the dashboard's pages: the Viewer (None when logged out) and open alerts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hub.monitor.models import Alert

from .roles import viewer_of


def viewer(request: HttpRequest) -> dict[str, Any]:
    if not hasattr(request, "user") or request.resolver_match is None or request.resolver_match.namespace != "dashboard":
        return {}
    found = getattr(request, "dashboard_viewer", None) or viewer_of(request.user)
    alerts = list(Alert.objects.filter(resolved_at__isnull=True).order_by("-opened_at")[:20]) if found else []
    return {"viewer": found, "open_alerts": alerts}
