"""A message's whole story (read-only; a stored message is never an editable form here)."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hub.intake.models import Message

from .. import clock, feed
from ..access import signed_in
from ..roles import Viewer
from ..story import story_of


@require_GET
@signed_in
def story_page(request: HttpRequest, viewer: Viewer, message_id: int) -> HttpResponse:
    message = feed.annotated(viewer.visible(Message.objects.filter(pk=message_id)), clock.now()).first()
    if message is None:  # not there, or not this viewer's: the same answer, so ids reveal nothing
        raise Http404("no such message")
    story = story_of(message)
    return render(
        request,
        "dashboard/story.html",
        {
            "story": story,
            "m": message,
            "state": feed.state_of(message),
            "raw": json.dumps(message.raw, ensure_ascii=False, indent=2),
            "follow_up": getattr(message, "follow_up", None),
        },
    )
