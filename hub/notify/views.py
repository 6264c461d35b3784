"""The page behind a signed acknowledge link (chat bots have no buttons), and Web Push subscriptions."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dashboard.access import signed_in
from dashboard.middleware import language_of
from dashboard.roles import Viewer
from hub.attention.ack import acknowledge
from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.org.models import Staff
from hub.sounds.language import hub_language

from .channels.webpush.keys import application_server_key
from .links import read_grant
from .models import PushSubscription, Target
from .text import headline

_B64URL = re.compile(r"^[A-Za-z0-9_-]{8,200}={0,2}\Z")


@csrf_exempt  # the signed token in the URL is the authority, not a cookie a forged form could ride on
@require_http_methods(["GET", "POST"])
def ack(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the message and a button (link previews must change nothing); POST acknowledges
    (the page's button, or a Web Push notification's acknowledge action)."""
    with translation.override(_LOCALES.get(hub_language(), "en")):
        return _ack(request, token)


def _ack(request: HttpRequest, token: str) -> HttpResponse:
    try:
        grant = read_grant(token)
    except signing.SignatureExpired:
        return _problem(request, _("This acknowledge link has expired. Open the message in the dashboard instead."), 410)
    except signing.BadSignature:
        return _problem(request, _("This acknowledge link is not valid. Open the message in the dashboard instead."), 404)
    message = Message.objects.select_related("category").filter(pk=grant.message_id).first()
    target = Target.objects.filter(pk=grant.target_id).first()
    if message is None or target is None:
        return _problem(request, _("This message is no longer kept."), 404)
    done = Acknowledgement.objects.filter(message=message).first()
    if request.method == "POST" and done is None:
        done, _mine = acknowledge(message.pk, by=target.name[:100], now=timezone.now())
    context = {"message": message, "headline": headline(message, hub_language()), "done": done}
    return render(request, "notify/ack.html", context)


_LOCALES = {"zh": "zh-hans", "en": "en"}  # the hub's language as Django names its catalogue


def _problem(request: HttpRequest, text: str, status: int) -> HttpResponse:
    return render(request, "notify/ack.html", {"problem": text}, status=status)


MAX_SUBSCRIPTION_BYTES = 4096


def _in_their_language(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Answer in the signed-in person's dashboard language (the dashboard switches only its own pages)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override(language_of(request)):
            return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET"])
@_in_their_language
@signed_in
def push_key(request: HttpRequest, viewer: Viewer) -> HttpResponseBase:
    """The VAPID public key browsers subscribe with."""
    return JsonResponse({"key": application_server_key(settings.DATA_DIR)})


@require_http_methods(["POST"])
@_in_their_language
@signed_in
def push_subscribe(request: HttpRequest, viewer: Viewer) -> HttpResponseBase:
    """Store this browser's Web Push subscription for the signed-in staff member (and their push target)."""
    if viewer.staff_number is None:
        return JsonResponse({"error": _("Only a login linked to a staff member can get push notifications.")}, status=403)
    if len(request.body) > MAX_SUBSCRIPTION_BYTES:
        return JsonResponse({"error": _("The subscription is too large.")}, status=413)
    try:
        info = read_subscription(request.body)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    staff = Staff.objects.get(number=viewer.staff_number)
    PushSubscription.objects.update_or_create(endpoint=info["endpoint"], defaults={"staff": staff, **info["keys"]})
    Target.objects.get_or_create(kind="webpush", staff=staff, defaults={"name": f"push-{staff.number}"[:64]})
    return JsonResponse({"ok": True})


def read_subscription(body: bytes) -> dict[str, Any]:
    """``PushSubscription.toJSON()`` as a browser sends it; ValueError naming what is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError(_("The subscription is not JSON.")) from None
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or not endpoint.startswith("https://") and not endpoint.startswith("http://"):
        raise ValueError(_("The subscription has no endpoint URL."))
    if len(endpoint) > 1000:
        raise ValueError(_("The subscription's endpoint is too long."))
    if not isinstance(keys, dict) or not all(isinstance(keys.get(k), str) and _B64URL.match(keys[k]) for k in ("p256dh", "auth")):
        raise ValueError(_("The subscription's keys (p256dh, auth) are missing or not base64url."))
    return {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}
