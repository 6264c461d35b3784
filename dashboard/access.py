"""Every dashboard view goes through one of these: no Viewer, no page (or a JSON 401/403)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

from .roles import Viewer, viewer_of

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, Viewer, P], HttpResponseBase]


def _wants_json(request: HttpRequest) -> bool:
    return request.method == "POST" or "application/json" in request.headers.get("Accept", "")


def signed_in(view: View[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """The view gets the request's Viewer; anyone else goes to the login page (JSON: 401)."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        viewer = viewer_of(request.user)
        request.dashboard_viewer = viewer  # type: ignore[attr-defined]  # read again by dashboard.context
        if viewer is None:
            if _wants_json(request):
                return JsonResponse({"error": _("please log in")}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, viewer, *args, **kwargs)

    functools.update_wrapper(wrapper, view)
    return wrapper


def admin_only(view: View[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Settings pages: admins only; others get a plain 403."""

    def checked(request: HttpRequest, viewer: Viewer, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not viewer.is_admin:
            return forbidden(request, _("only an admin may change settings"))
        return view(request, viewer, *args, **kwargs)

    functools.update_wrapper(checked, view)
    return signed_in(checked)


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": reason}, status=403)
    return HttpResponse(reason, status=403, content_type="text/plain; charset=utf-8")
