"""The health monitor's loop: hear heartbeats and statuses, then check everything once a second.

Heartbeats arrive on an MQTT 5 shared subscription (``$share/hub/…``), so
several hub processes split them. Statuses are subscribed plainly: the broker
never sends retained messages to a shared subscription, and the retained
``offline`` is what tells a newly started monitor which speakers are down; each
monitor reads them all (they are few), and the compare-and-set state changes
and the alert's unique key keep that from announcing anything twice.

Heartbeats are kept in memory (latest per node) and written in one batch a
second, then acknowledged; the database stays the only truth checks and alerts
read.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.utils import timezone

import mqtt
from hub import storable
from hub.fleet.known import KnownNodes
from mqtt.client import Link
from mqtt.liveness import CHECK_EVERY_S
from mqtt.topics import shared

from .alerts import settle_flapping
from .broker import check_broker, record_link
from .ha_discovery import DiscoveryPusher
from .models import NodeHealth
from .nodes import Grace, check_mute, check_nodes, grant_hearing_grace, heartbeat_fields, ingest_heartbeats, ingest_status
from .sources import SourceWatch

log = logging.getLogger(__name__)

SHARE_GROUP = "hub"


class Monitor:
    def __init__(
        self,
        link: Link,
        base: str,
        *,
        grace: Grace = Grace(),
        sources: SourceWatch | None = None,
        broker_threshold: timedelta = timedelta(seconds=30),
        every: float = CHECK_EVERY_S,
        clock: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.link = link
        self.base = base
        self.grace = grace
        self.sources = sources or SourceWatch()
        self.broker_threshold = broker_threshold
        self.every = every  # seconds between heartbeat flushes and checks
        self.clock = clock
        self._beats: dict[str, mqtt.Heartbeat] = {}
        self._heard: dict[str, datetime] = {}  # when each of _beats was heard
        self._unacked: list[mqtt.Received] = []
        self._link_seen = 0.0
        self.fleet = KnownNodes()
        self.discovery = DiscoveryPusher(link, base)  # Home Assistant devices for enrolled speakers

    def subscriptions(self) -> list[str]:
        return [shared(mqtt.Heartbeat.subscription(self.base), SHARE_GROUP), mqtt.NodeStatus.subscription(self.base)]

    # -- steps ---------------------------------------------------------------
    def handle(self, event: mqtt.LinkEvent, now: datetime) -> None:
        if isinstance(event, mqtt.Connected):
            record_link(self.link.client_id, True, now)
            self.discovery.connected()
            grant_hearing_grace(now, self.grace)  # heartbeats sent while we could not hear are not missed
        elif isinstance(event, mqtt.Disconnected):
            record_link(self.link.client_id, False, now, self.link.problem_line())
        elif (ids := mqtt.Heartbeat.parse_topic(event.topic, self.base)) is not None:
            beat = self.heartbeat(ids["node_id"], event.payload, now)
            if beat is not None:
                self._beats[ids["node_id"]] = beat
                self._heard[ids["node_id"]] = now
            self._unacked.append(event)  # acknowledged after the flush writes it
        elif (ids := mqtt.NodeStatus.parse_topic(event.topic, self.base)) is not None:
            try:
                online = mqtt.NodeStatus.parse(event.payload)
                if self.fleet.knows(ids["node_id"], "status"):
                    ingest_status(ids["node_id"], online, now, self.grace)
                    if not online and not event.retain:  # a live LWT: a speaker just died or froze; say so now,
                        check_nodes(now, self.base)       # not at the next tick
            except mqtt.PayloadError as exc:
                log.warning("dropped status from %s: %s", ids["node_id"], exc)
            self.link.ack(event)

    def heartbeat(self, node_id: str, payload: bytes, now: datetime) -> mqtt.Heartbeat | None:
        """The heartbeat to write for ``node_id``; None (logged) for one that is invalid,
        from a node nobody enrolled, or that its row cannot hold, so it never fails the batch."""
        try:
            beat = mqtt.Heartbeat.from_json(payload)
        except mqtt.PayloadError as exc:
            log.warning("dropped heartbeat from %s: %s", node_id, exc)
            return None
        if not self.fleet.knows(node_id, "heartbeat"):
            return None
        why = storable.problem(NodeHealth(node_id=node_id, **heartbeat_fields(beat, now, self.grace)))
        if why:
            log.warning("dropped heartbeat from %s: %s", node_id, why)
            return None
        return beat

    def flush(self, now: datetime) -> int:
        """Write the heartbeats heard since the last flush; then acknowledge them."""
        beats, self._beats = self._beats, {}
        heard, self._heard = self._heard, {}
        ingest_heartbeats(beats, now, self.grace, heard)
        for event in self._unacked:
            self.link.ack(event)
        self._unacked = []
        return len(beats)

    def check(self, now: datetime) -> None:
        check_nodes(now, self.base)
        check_mute(now, self.base)
        settle_flapping(now, self.base)
        self.sources.check(now, self.base)
        check_broker(now, self.base, self.broker_threshold)

    # -- loop ------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        for topic_filter in self.subscriptions():
            self.link.subscribe(topic_filter, qos=1)
        record_link(self.link.client_id, False, self.clock())  # down until the first connect
        self.link.start()
        log.info("monitor started as %s", self.link.client_id)
        next_tick = time.monotonic()
        try:
            while not stop.is_set():
                self._drain(next_tick)
                if time.monotonic() < next_tick:
                    continue
                next_tick = time.monotonic() + self.every
                close_old_connections()
                try:
                    now = self.clock()
                    self.flush(now)
                    self.check(now)
                    if self.link.connected.is_set():
                        self.discovery.push_if_due()
                    if time.monotonic() - self._link_seen >= 5:  # /healthz reads this row
                        record_link(self.link.client_id, self.link.connected.is_set(), now, self.link.problem_line())
                        self._link_seen = time.monotonic()
                except Exception:
                    log.exception("monitor step failed; continuing")
        finally:
            self.link.stop()
            log.info("monitor stopped")

    def _drain(self, until: float) -> None:
        """Handle link events until ``until`` (monotonic), or until the inbox is empty at that time."""
        while True:
            left = until - time.monotonic()
            try:
                event = self.link.inbox.get(timeout=max(0.0, min(left, 0.2))) if left > 0 else self.link.inbox.get_nowait()
            except queue.Empty:
                return
            try:
                self.handle(event, self.clock())
            except Exception:
                log.exception("monitor could not handle %s; continuing", type(event).__name__)
            if left <= 0:
                return


def make_monitor_link() -> Link:
    """The monitor's own link: a per-process client id, a clean start (a shared
    subscription's heartbeats are not worth queueing for a monitor that is gone)."""
    from django.conf import settings

    from hub.fleet.accounts import MONITOR_ROLE, role_settings

    broker = role_settings(settings.MQTT_BROKER, MONITOR_ROLE)
    # With accounts the broker takes the user name as the client id (one identity per login); say so.
    client_id = broker.username or f"shopcrier-hub-monitor-{os.getpid()}"
    return Link(broker, client_id, clean_start=True, session_expiry=0, manual_ack=True)
