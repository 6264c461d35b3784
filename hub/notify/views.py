"""The page behind a signed acknowledge link (chat bots have no buttons)."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.attention.ack import acknowledge
from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.sounds.language import hub_language

from .links import read_grant
from .models import Target
from .text import headline


@require_http_methods(["GET", "POST"])
def ack(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the message and a button (link previews must change nothing); POST acknowledges."""
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


def _problem(request: HttpRequest, text: str, status: int) -> HttpResponse:
    return render(request, "notify/ack.html", {"problem": text}, status=status)
