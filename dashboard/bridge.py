"""The news from ``shopcrier-hub run`` to this web process: its MQTT topics, followed.

The worker stores a message, then its outbox publishes the message's Event
(``events/{category}``); alerts go to ``alerts``; speakers' availability and
command replies to ``node/+/status`` and ``node/+/reply``. One thread per web
process follows these and group-sends ids to the channel layer on the event
loop that serves the sockets. Nothing is trusted from the payload but the id:
consumers re-read the database. With Redis (several web processes) the
subscriptions are shared (``$share/dashboard/...``) so each event is sent once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
import uuid
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections

import mqtt
from hub.org.models import SpeakerNode
from mqtt.topics import shared

from .audience import groups_for_message
from .roles import group

log = logging.getLogger(__name__)

_lock = threading.Lock()
_running: Bridge | None = None


def ensure_running() -> None:
    """Start this process's bridge (once), bound to the running event loop."""
    global _running
    if not settings.DASHBOARD_FOLLOW_MQTT:
        return
    with _lock:
        if _running is None or not _running.is_alive():
            _running = Bridge(asyncio.get_running_loop())
            _running.start()


def subscriptions(base: str, shared_group: bool) -> list[str]:
    filters = [
        mqtt.Event.subscription(base),
        mqtt.Alert.topic(base),
        mqtt.NodeStatus.subscription(base),
        mqtt.Reply.subscription(base),
    ]
    return [shared(f, "dashboard") for f in filters] if shared_group else filters


def events_for(received: mqtt.Received, base: str) -> list[tuple[set[str], dict[str, Any]]]:
    """What the pages should hear about one MQTT message: (groups, event) pairs; [] for noise.

    Runs in the bridge thread (it reads the database); a malformed payload is logged and dropped.
    """
    topic = received.topic
    try:
        if mqtt.Event.is_topic(topic, base):
            news = mqtt.Event.from_json(received.payload)
            # "heard": when this web process heard of it (seconds since the epoch), for the pages' timing
            heard = time.time()
            return [(groups_for_message(news.message_id), {"type": "feed.message", "id": news.message_id, "heard": heard})]
        if mqtt.Alert.is_topic(topic, base):
            everyone = {group("admin"), group("everyone")}
            return [(everyone, {"type": "alerts.changed"}), (everyone, {"type": "fleet.changed"})]
        if mqtt.NodeStatus.is_topic(topic, base):
            return [({group("admin"), group("everyone")}, {"type": "fleet.changed"})]
        ids = mqtt.Reply.parse_topic(topic, base)
        if ids is not None:
            reply = mqtt.Reply.from_json(received.payload)
            node = SpeakerNode.objects.filter(node_id=ids["node_id"]).select_related("department").first()
            department = node.department.slug if node else ""
            told: dict[str, Any] = {"type": "fleet.reply", "node": ids["node_id"], "id": reply.id, "ok": reply.ok,
                                    "detail": reply.detail or "", "department": department}
            return [({group("admin"), group("mgr", department)} if department else {group("admin")}, told)]
    except mqtt.PayloadError as exc:
        log.warning("dropped %s: %s", topic, exc)
    return []


class Bridge(threading.Thread):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(name="dashboard-bridge", daemon=True)
        self.loop = loop
        self.base: str = settings.MQTT_BASE_TOPIC
        client_id = f"shopcrier-web-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.link = mqtt.Link(settings.MQTT_BROKER, client_id, clean_start=True, session_expiry=0)
        for topic_filter in subscriptions(self.base, shared_group=bool(settings.REDIS_URL)):
            self.link.subscribe(topic_filter, qos=1)
        self.stop = threading.Event()

    def run(self) -> None:
        self.link.start()
        layer = get_channel_layer()
        assert layer is not None, "CHANNEL_LAYERS has no default layer"
        while not self.stop.is_set():
            try:
                item = self.link.inbox.get(timeout=1)
            except queue.Empty:
                continue
            if isinstance(item, mqtt.Connected):
                # what was published while the link was down reached no page: open pages catch up
                for name in (group("admin"), group("everyone")):
                    asyncio.run_coroutine_threadsafe(layer.group_send(name, {"type": "feed.resync"}), self.loop)
            if not isinstance(item, mqtt.Received):
                continue
            close_old_connections()
            try:
                pairs = events_for(item, self.base)
            except Exception:  # the database being away must not end the bridge
                log.exception("could not read the news on %s", item.topic)
                continue
            for groups, event in pairs:
                for name in groups:
                    asyncio.run_coroutine_threadsafe(layer.group_send(name, event), self.loop)
        self.link.stop()
