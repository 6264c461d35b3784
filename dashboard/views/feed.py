"""The live feed page, and acknowledging from it (hub.attention.ack does the acknowledging)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hub.attention.ack import acknowledge
from hub.intake.models import Message
from hub.rules.models import Category

from .. import clock, feed
from ..access import forbidden, signed_in
from ..roles import Viewer
from ..sounds import sound_name

ACK_ALL_LIMIT = 500


@require_GET
@signed_in
def feed_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    now = clock.now()
    filters = feed.Filters.from_query(request.GET)
    messages = feed.page(viewer, filters, now)
    return render(
        request,
        "dashboard/feed.html",
        {
            "rows": [feed.row_context(m) for m in messages],
            "filters": filters,
            "categories": Category.objects.order_by("slug"),
            "states": feed.STATES,
            "priorities": feed.PRIORITIES,
            "open_count": feed.open_count(viewer, now),
            "open_cap": feed.OPEN_CAP,
            "more": messages[-1].pk if len(messages) == feed.PAGE else None,
            "last_id": messages[0].pk if messages else Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "sounds": {f"{c.slug}:{p}": sound_name(c.slug, p) for c in Category.objects.all() for p in feed.PRIORITIES},
        },
    )


@require_POST
@signed_in
def ack_one(request: HttpRequest, viewer: Viewer, message_id: int) -> HttpResponseBase:
    if not viewer.may_see(message_id):
        return forbidden(request, _("this message is not yours to acknowledge"))
    ack, first = acknowledge(message_id, viewer.name, clock.now())
    return JsonResponse({"message": message_id, "by": ack.by, "at": ack.at.isoformat(), "first": first})


@require_POST
@signed_in
def ack_mine(request: HttpRequest, viewer: Viewer) -> JsonResponse:
    """Acknowledge every open message routed to me or my department (up to ACK_ALL_LIMIT)."""
    now = clock.now()
    open_ids = list(
        viewer.visible(Message.objects.all(), "mine").filter(acknowledgement__isnull=True).order_by("-pk").values_list("pk", flat=True)[:ACK_ALL_LIMIT]
    )
    taken = sum(1 for pk in open_ids if acknowledge(pk, viewer.name, now)[1])
    return JsonResponse({"acknowledged": taken})
