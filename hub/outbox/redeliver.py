"""Sending a speaker, under the same id, what it should have said and has not answered.

Waiting :class:`~hub.outbox.models.Expectation` rows of a speaker that is
online go again on its own topic (``node/{id}/announce``, :class:`mqtt.Redelivery`),
so no other speaker hears them twice: at once when the speaker asks
(:class:`mqtt.MissedRequest`, sent on every connect, which also brings a new
speaker its unexpired backlog), else when ``next_at`` comes, with a back-off
from ``first`` doubling to ``longest`` seconds. The speaker drops an id it
has taken before, so a redelivery of something merely slow to play is harmless.
Expectations past their expiry lapse; a late receipt still answers them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import mqtt
from mqtt.client import Link

from .expect import backfill
from .models import Expectation

log = logging.getLogger(__name__)

FIRST_S = 60.0
LONGEST_S = 600.0


class Redeliverer:
    def __init__(self, link: Link, base: str, *, first: float = FIRST_S, longest: float = LONGEST_S,
                 batch: int = 200) -> None:
        self.link = link
        self.base = base
        self.first = first
        self.longest = longest
        self.batch = batch
        self.online: set[str] = set()  # from the speakers' retained statuses

    def connected(self) -> None:
        """The hub's link is (back) up: learn again who is online from the retained statuses."""
        self.online.clear()

    def on_status(self, node_id: str, payload: bytes, now: datetime) -> None:
        """A speaker's retained status. One that comes (back) online gets what it owes at once:
        its own request for it may have reached the broker before the hub's subscription did."""
        try:
            up = mqtt.NodeStatus.parse(payload)
        except mqtt.PayloadError as exc:
            log.warning("ignored a status from %s: %s", node_id, exc)
            return
        if not up:
            self.online.discard(node_id)
        elif node_id not in self.online:
            self.online.add(node_id)
            self._make_due(node_id, now)

    def on_missed(self, node_id: str, payload: bytes, now: datetime) -> int:
        """A speaker asks for what it missed: expect its backlog, and make all it owes due now."""
        try:
            mqtt.MissedRequest.from_json(payload)
        except mqtt.PayloadError as exc:
            log.warning("dropped a missed request from %s: %s", node_id, exc)
            return 0
        self.online.add(node_id)  # it just spoke; its retained status may come after
        return self._make_due(node_id, now)

    def _make_due(self, node_id: str, now: datetime) -> int:
        added = backfill(node_id, now, self.base)
        due = Expectation.objects.filter(node_id=node_id, status=Expectation.WAITING).update(next_at=now)
        if due:
            log.info("speaker %s is owed %d announcement(s) (%d new to it): due again now", node_id, due, added)
        return due

    def lapse(self, now: datetime) -> int:
        """Waiting expectations past their expiry become ``lapsed``."""
        lapsed = Expectation.objects.filter(status=Expectation.WAITING, expires_at__lte=now).update(
            status=Expectation.LAPSED)
        if lapsed:
            log.warning("%d announcement(s) expired before their speaker answered", lapsed)
        return lapsed

    def redeliver_due(self, now: datetime) -> int:
        """Send due waiting expectations of online speakers again; returns how many went out."""
        if not self.online:
            return 0
        rows = list(
            Expectation.objects.filter(status=Expectation.WAITING, next_at__lte=now, node_id__in=self.online)
            .exclude(expires_at__lte=now)
            .order_by("next_at", "id")
            .values_list("id", "node_id", "resent", "expires_at", "delivery__payload")[: self.batch]
        )
        for pk, node_id, resent, expires_at, payload in rows:
            expiry = None if expires_at is None else max(1, int((expires_at - now).total_seconds()))
            self.link.publish(mqtt.Redelivery.topic(self.base, node_id=node_id), bytes(payload), qos=1, expiry=expiry)
            wait = min(self.longest, self.first * 2 ** min(resent, 20))
            Expectation.objects.filter(id=pk).update(resent=resent + 1, next_at=now + timedelta(seconds=wait))
        if rows:
            log.info("sent %d announcement(s) again to speakers that have not answered", len(rows))
        return len(rows)
