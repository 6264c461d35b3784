"""The live feed page, and acknowledging from it (hub.attention.ack does the acknowledging)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hub.attention.ack import acknowledge
from hub.intake.models import Message
from hub.rules.models import Category

from .. import clock, feed, groups
from ..access import forbidden, signed_in
from ..roles import Viewer
from ..sounds import sound_name

ACK_ALL_LIMIT = 500


@require_GET
@signed_in
def feed_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    now = clock.now()
    filters = feed.Filters.from_query(request.GET)
    until: int | None = None
    rows: list[dict[str, Any]]
    if filters.grouped:
        found, until = groups.page(viewer, filters, now, filters.until)
        messages = [g.newest for g in found if g.newest is not None]
        rows = [entry(g) for g in found if g.newest is not None]
    else:
        messages = feed.page(viewer, filters, now)
        rows = [feed.row_context(m) for m in messages]
    return render(
        request,
        "dashboard/feed.html",
        {
            "rows": rows,
            "until": until,
            "filters": filters,
            "categories": Category.objects.order_by("slug"),
            "states": feed.STATES,
            "priorities": feed.PRIORITIES,
            "open_count": feed.open_count(viewer, now),
            "open_cap": feed.OPEN_CAP,
            "more": messages[-1].pk if not filters.grouped and len(messages) == feed.PAGE else None,
            "last_id": max(m.pk for m in messages) if messages else Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
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


def entry(g: groups.Group) -> dict[str, Any]:
    """A grouped feed's row: the group when it has more than one member, else its one message."""
    assert g.newest is not None
    if g.size > 1:
        return {"group": g}
    return {**feed.row_context(g.newest), "gid": g.gid}


@require_GET
@signed_in
def group_members(request: HttpRequest, viewer: Viewer, gid: str) -> HttpResponseBase:
    """The rows of a group's members the viewer may see (the expanded group), newest first."""
    key = groups.resolve(gid)
    if key is None:
        return HttpResponse(_("no such group"), status=404, content_type="text/plain; charset=utf-8")
    members = groups.members(viewer, key, clock.now())
    if not members:
        return forbidden(request, _("none of this group is yours to see"))
    return render(request, "dashboard/_members.html", {"rows": [feed.row_context(m) for m in members], "gid": gid})


@require_POST
@signed_in
def ack_group(request: HttpRequest, viewer: Viewer, gid: str) -> HttpResponseBase:
    """Acknowledge every open member of the group the viewer may acknowledge, in one transaction."""
    key = groups.resolve(gid)
    if key is None:
        return JsonResponse({"error": _("no such group")}, status=404)
    now = clock.now()
    if groups.group(viewer, key, now).size == 0:
        return forbidden(request, _("none of this group is yours to acknowledge"))
    taken = groups.acknowledge_group(viewer, key, now)
    return JsonResponse({"group": gid, "acknowledged": len(taken)})
