"""The live feed socket (``/ws/feed``): one per open page.

Refused with close code 4401 unless the session is a signed-in, active
login; the origin is checked before this (hub.asgi). The socket joins only
the groups its Viewer's role allows (dashboard.roles) and offers no way to
join others. Each event names a message; the consumer re-reads it and sends
it only if the viewer may see it, so a group mix-up cannot leak a message.

From the page: ``{"type": "catchup", "since": <last id seen>, "shown": [ids]}``
after every (re)connect; the reply is the current rows of ``shown`` and every
visible message newer than ``since`` (none when ``since`` is negative: a page
that shows no feed).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hub.intake.models import Message
from hub.outbox.models import Delivery

from . import bridge, clock, feed, groups
from .middleware import preferred_language
from .roles import Viewer, viewer_of

log = logging.getLogger(__name__)

CATCHUP_LIMIT = 200
REFUSED = 4401


class FeedConsumer(AsyncJsonWebsocketConsumer):
    viewer: Viewer | None = None
    language: str = "zh-hans"
    grouped: bool = True  # until the page's first catch-up says otherwise
    joined: list[str]

    async def connect(self) -> None:
        self.joined = []
        user = self.scope.get("user")
        self.viewer = await database_sync_to_async(viewer_of)(user) if user is not None else None
        if self.viewer is None:
            await self.close(code=REFUSED)
            return
        self.language = await database_sync_to_async(preferred_language)(self.viewer.user_id)
        for name in self.viewer.groups():
            await self.channel_layer.group_add(name, self.channel_name)
            self.joined.append(name)
        bridge.ensure_running()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for name in self.joined:
            await self.channel_layer.group_discard(name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "catchup":
            await self.send_json({"type": "error", "error": "unknown request"})
            return
        # a page showing one message per row needs no group rows: the socket spares itself counting them
        self.grouped = content.get("grouped", True) is not False
        since, shown = content.get("since"), content.get("shown", [])
        if not isinstance(since, int) or not isinstance(shown, list) or not all(isinstance(i, int) for i in shown):
            await self.send_json({"type": "error", "error": "catchup needs an integer since and a list of ids"})
            return
        for item in await database_sync_to_async(self._catchup)(since, shown[:500]):
            await self.send_json(item)

    # -- group events ------------------------------------------------------------
    async def feed_message(self, event: dict[str, Any]) -> None:
        heard = event.get("heard")
        await self._send_rows([int(event["id"])], "message", heard if isinstance(heard, float) else None)

    async def feed_changed(self, event: dict[str, Any]) -> None:
        await self._send_rows([int(event["id"])], "changed")

    async def feed_resync(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "resync"})

    async def fleet_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "fleet"})

    async def alerts_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "alerts"})

    async def fleet_reply(self, event: dict[str, Any]) -> None:
        assert self.viewer is not None
        if self.viewer.may_command(str(event.get("department", ""))):
            await self.send_json({"type": "reply", **{k: event.get(k) for k in ("node", "id", "ok", "detail")}})

    # -- reading -----------------------------------------------------------------
    async def _send_rows(self, ids: list[int], kind: str, heard: float | None = None) -> None:
        # Read-only work off the one thread Django's sync views share: a burst of webhooks
        # being stored there must not hold up telling the pages (SQLite WAL and PostgreSQL
        # both let these reads run beside the writer).
        for item in await database_sync_to_async(self._rows, thread_sensitive=False)(ids, kind):
            if heard is not None:  # where the time went, for the latency benchmark and a curious person's devtools
                item["timing"] = {"heard": heard, "sent": time.time()}
            await self.send_json(item)

    def _rows(self, ids: list[int], kind: str) -> list[dict[str, Any]]:
        assert self.viewer is not None
        now = clock.now()
        messages = list(feed.annotated(self.viewer.visible(Message.objects.filter(pk__in=ids)), now).order_by("pk"))
        return self._items(messages, kind)

    def _catchup(self, since: int, shown: list[int]) -> list[dict[str, Any]]:
        assert self.viewer is not None
        now = clock.now()
        visible = self.viewer.visible(Message.objects.all())
        newer = feed.annotated(visible.filter(pk__gt=since), now).order_by("-pk")[:CATCHUP_LIMIT] if since >= 0 else []
        current = list(feed.annotated(visible.filter(pk__in=shown), now))
        items = self._items(current, "changed") + self._items(list(reversed(list(newer))), "message")
        return [{**item, "catchup": True} for item in items]

    def _items(self, messages: list[Message], kind: str) -> list[dict[str, Any]]:
        """The socket items for ``messages``, with the narrower scopes each is in (so a filtered page
        can decide), read from their announce topics in one query."""
        assert self.viewer is not None
        topics: dict[int, list[str]] = {}
        rows = Delivery.objects.filter(message_id__in=[m.pk for m in messages]).exclude(announcement_id="").order_by("pk")
        for message_id, topic in rows.values_list("message_id", "topic"):
            if message_id is not None:
                topics.setdefault(message_id, []).append(topic)
        keys = {m.pk: groups.Key(m.category_id, (topics.get(m.pk) or [""])[0], groups.slot_of(m.received_at)) for m in messages}
        now = clock.now()
        # each group once, as this viewer sees it now (a catch-up may hold many members of one)
        found = {key: groups.group(self.viewer, key, now, messages) if self.grouped else groups.Group(key)
                 for key in set(keys.values())}
        return [self._item(m, kind, self.viewer.scopes_of(topics.get(m.pk, [])), found[keys[m.pk]]) for m in messages]

    def _item(self, message: Message, kind: str, scopes: list[str], group: groups.Group) -> dict[str, Any]:
        """One message's news; ``group_size`` and ``group_html`` only for a grouped page (0 and "" else)."""
        with translation.override(self.language):
            html = render_to_string("dashboard/_row.html", {**feed.row_context(message), "gid": group.gid})
            group_html = render_to_string("dashboard/_group.html", {"g": group}) if group.size > 1 else ""
        return {
            "group": group.gid,
            "group_size": group.size,
            "group_html": group_html,
            "type": kind,
            "id": message.pk,
            "state": feed.state_of(message),
            "category": message.category.slug if message.category else "",
            "priority": message.priority,
            "text": message.content,
            "user": message.user_name,
            "day": timezone.localtime(message.received_at).date().isoformat(),
            "scopes": scopes,
            "html": html,
        }
