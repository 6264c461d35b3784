"""The dashboard's language: the login's choice, else Simplified Chinese.

Only the dashboard's own pages are switched; the Django admin, the JSON API
and webhooks keep ``LANGUAGE_CODE``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .models import Preference


def preferred_language(user_id: int) -> str:
    """The login's chosen language, else the dashboard's default."""
    chosen = Preference.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return chosen or settings.DASHBOARD_LANGUAGE


def language_of(request: HttpRequest) -> str:
    """The login's choice; else the one made on the login page (kept in the session); else the default."""
    user = request.user
    if user.is_authenticated and user.pk is not None:
        chosen = Preference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
        if chosen:
            return chosen
    wanted: str = request.session.get("dashboard_language", "") if hasattr(request, "session") else ""
    return wanted or settings.DASHBOARD_LANGUAGE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and match.namespace == "dashboard":
            language = language_of(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
