"""Logging in and out, and each login's language."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hub.logins.forms import ThrottledLogin

from ..models import LANGUAGES, Preference


class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledLogin  # per user name and per address (hub/logins)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """A language chosen on the login page becomes the login's own (if it has none yet)."""
        chosen = self.request.session.get("dashboard_language", "")
        response = super().form_valid(form)
        if chosen in dict(LANGUAGES):
            Preference.objects.get_or_create(user=form.get_user(), defaults={"language": chosen})
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "dashboard:login"


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("dashboard:feed")


@require_POST
def language(request: HttpRequest) -> HttpResponseBase:
    """Choose the dashboard language: kept on the login, or in the session before login."""
    chosen = request.POST.get("language", "")
    if chosen in dict(LANGUAGES):
        if request.user.is_authenticated:
            Preference.objects.update_or_create(user_id=request.user.pk, defaults={"language": chosen})
        request.session["dashboard_language"] = chosen
    return HttpResponseRedirect(_back(request))
