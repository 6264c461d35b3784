"""The login forms of the dashboard and the admin, throttled (:mod:`hub.logins.throttle`)."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext

from . import throttle

log = logging.getLogger(__name__)


def refusal(which: str) -> str:
    """The refusal in the request's language (the dashboard's catalogue holds both sentences)."""
    minutes = int(throttle.WINDOW.total_seconds() // 60)
    if which == "user":
        return gettext("Too many failed logins for this user name. Try again in %(minutes)s minutes.") % {"minutes": minutes}
    return gettext("Too many failed logins from your address. Try again in %(minutes)s minutes.") % {"minutes": minutes}


class ThrottledLogin(AuthenticationForm):
    """Claims an attempt before the password is checked; refuses with a clear message past the limit
    (also kept as ``throttled`` so a page can show it instead of "wrong password")."""

    throttled = ""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        keys = throttle.Keys.of(self.request, username)
        refused = throttle.claim(keys, timezone.now())
        if refused:
            log.warning("login refused for %s from %s: too many failed attempts", keys.user, keys.address)
            self.throttled = refusal(refused)
            raise forms.ValidationError(self.throttled, code="throttled")
        cleaned = super().clean()  # raises for a wrong password: the attempt stays counted
        throttle.succeeded(keys)
        return cleaned


class ThrottledAdminLogin(ThrottledLogin, AdminAuthenticationForm):
    """The admin's form (staff only), throttled the same way."""
