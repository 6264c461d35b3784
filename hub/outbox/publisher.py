"""The outbox publisher and the receipt recorder.

:meth:`Publisher.publish_pending` sends pending deliveries in id order at
QoS 1 and marks exactly those acknowledged (PUBACK) as sent. A crash between
the publish and the mark re-sends on the next start: at least once, never
skipped; speakers drop the repeat by announcement id.

A PUBACK is not the end: in the transaction that marks them sent, every
speaker following an announcement's topic is expected to answer it
(hub.outbox.expect). A receipt is stored only from a speaker the announcement
was sent to, and confirmed to that speaker (:class:`mqtt.ReceiptsStored`) so
it can forget it; a speaker that does not answer gets the announcement again
(hub.outbox.redeliver).

Before sending, the attention gate (hub.attention.gate) holds back what a
department's speakers should not say now (quiet hours, a burst folded into a
digest), and closed digests are written as announcements of their own.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.db import DataError, IntegrityError, close_old_connections, transaction
from django.utils import timezone

import mqtt
from mqtt.client import Link

from hub import storable
from hub.attention.gate import Gate, Row, flush_digests
from hub.fleet.known import KnownNodes
from hub.fleet.node_config import ConfigPusher

from . import lead, wake
from .expect import Sent, expect_sent, expected
from .models import Delivery, Expectation, Receipt
from .redeliver import FIRST_S, Redeliverer

log = logging.getLogger(__name__)


class Publisher:
    def __init__(
        self,
        link: Link,
        base: str,
        batch: int = 500,
        ack_timeout: float = 10.0,
        clock: Callable[[], datetime] = timezone.now,
        redeliver_after: float = FIRST_S,
    ) -> None:
        self.link = link
        self.base = base
        self.batch = batch
        self.ack_timeout = ack_timeout
        self.clock = clock  # decides expiry, quiet hours and digest windows; tests move it
        self.gate = Gate(base)
        self.configs = ConfigPusher(link, base)
        self.fleet = KnownNodes()
        self.redeliver_after = redeliver_after
        self.redeliverer = Redeliverer(link, base, first=redeliver_after)
        self._stored: dict[str, list[mqtt.ReceiptKey]] = {}  # confirmations owed, by speaker
        self.leading = True  # whether this process sends the outbox (hub.outbox.lead); set each turn
        self.wake = wake.LOCAL  # set when deliveries commit (hub.outbox.wake); the poll is the fallback

    def publish_pending(self) -> int:
        """Publish up to ``batch`` pending deliveries; return how many were settled
        (acknowledged by the broker, or held back from speakers by the gate)."""
        now = self.clock()
        flush_digests(now, self.base)  # before the gate: it opens a department's next digest
        expired = Delivery.objects.filter(status=Delivery.PENDING, expires_at__lte=now).update(status=Delivery.EXPIRED)
        if expired:
            log.warning("%d delivery(ies) expired before the broker could take them", expired)
        rows = list(
            Delivery.objects.filter(status=Delivery.PENDING)
            .order_by("id")
            .values_list(
                "id", "topic", "payload", "qos", "expires_at",
                "announcement_id", "message_id", "message__priority", "message__category__slug", "message__lang",
            )[: self.batch]
        )
        if not rows:
            return 0
        held = self.gate.screen([Row(r[0], r[1], *r[5:]) for r in rows], now)
        sent = [(pk, self.link.publish(topic, bytes(payload), qos=qos, expiry=_seconds_left(expires_at, now)))
                for pk, topic, payload, qos, expires_at, *_ in rows if pk not in held]
        log.debug("%d publish(es) handed to the broker link; waiting for PUBACK", len(sent))
        mqtt.wait_all([info for _, info in sent], self.ack_timeout)
        acked = [pk for pk, info in sent if mqtt.is_acked(info)]
        done = set(acked)
        with transaction.atomic():
            Delivery.objects.filter(id__in=acked, status=Delivery.PENDING).update(status=Delivery.SENT, sent_at=self.clock())
            expect_sent([Sent(r[0], r[1], r[5], r[4]) for r in rows if r[0] in done], self.clock(), self.base,
                        self.redeliver_after)
        if len(acked) < len(sent):
            log.warning("%d of %d publishes were not acknowledged; they will be sent again", len(sent) - len(acked), len(sent))
        return len(acked) + len(held)

    def handle(self, event: mqtt.LinkEvent) -> None:
        if isinstance(event, mqtt.Connected):
            self.configs.connected()
            self.redeliverer.connected()
        if isinstance(event, mqtt.Received):
            if (ids := mqtt.Receipt.parse_topic(event.topic, self.base)) is not None:
                self.record_receipt(ids["node_id"], event.payload)
            elif not self.leading:  # the leading publisher's redeliverer answers these
                pass
            elif (ids := mqtt.MissedRequest.parse_topic(event.topic, self.base)) is not None:
                self.redeliverer.on_missed(ids["node_id"], event.payload, self.clock())
            elif (ids := mqtt.NodeStatus.parse_topic(event.topic, self.base)) is not None:
                self.redeliverer.on_status(ids["node_id"], event.payload, self.clock())
            self.link.ack(event)  # after the commit: a crash before it gets the receipt again

    def record_receipt(self, node_id: str, payload: bytes) -> bool:
        """Store a node's receipt once, if the announcement was sent to that node; False for an
        invalid, unknown node's, refused, unstorable or repeated one.

        Every False is final: the caller acknowledges it all the same, so one
        receipt the hub cannot take never holds up the ones behind it. A stored,
        repeated, refused or unstorable receipt is confirmed to the node by the
        next :meth:`confirm` (it may forget it); an unreadable one, or one from a
        speaker nobody enrolled, cannot be.
        """
        try:
            receipt = mqtt.Receipt.from_json(payload)
        except mqtt.PayloadError as exc:
            log.warning("dropped receipt from %s: %s", node_id, exc)
            return False
        if not self.fleet.knows(node_id, "receipt"):
            return False
        key = mqtt.ReceiptKey(receipt.id, receipt.status)
        row = Receipt(
            announcement_id=receipt.id, node_id=node_id, status=receipt.status, at=receipt.at, detail=receipt.detail or "",
        )
        why = storable.problem(row)
        if why:  # checked first: nothing it holds may reach a query
            log.warning("dropped receipt %s from %s: %s", receipt.id, node_id, why)
            self._stored.setdefault(node_id, []).append(key)
            return False
        now = self.clock()
        expectation = expected(receipt.id, node_id, now, self.base)
        if expectation is None:
            log.warning("refused a %s receipt from %s for announcement %s: it was never sent to that speaker",
                        receipt.status, node_id, receipt.id)
            self._stored.setdefault(node_id, []).append(key)
            return False
        row.message_id = expectation.delivery.message_id
        try:
            with transaction.atomic():
                row.save()
                Expectation.objects.filter(id=expectation.pk).exclude(status=Expectation.ANSWERED).update(
                    status=Expectation.ANSWERED, answer=receipt.status, answered_at=now)
        except IntegrityError:
            log.debug("repeated receipt %s from %s", receipt.id, node_id)
            self._stored.setdefault(node_id, []).append(key)
            return False
        except DataError as exc:  # a limit the check above does not know of: still never retried forever
            log.warning("dropped receipt %s from %s: the database refused it: %s", receipt.id, node_id, exc)
            self._stored.setdefault(node_id, []).append(key)
            return False
        self._stored.setdefault(node_id, []).append(key)
        log.info("node %s %s announcement %s", node_id, receipt.status, receipt.id)
        return True

    def confirm(self) -> int:
        """Tell each speaker which of its receipts the hub is done with; returns how many messages went."""
        sent = 0
        for node_id, keys in self._stored.items():
            for i in range(0, len(keys), mqtt.messages.MAX_STORED):
                chunk = tuple(dict.fromkeys(keys[i:i + mqtt.messages.MAX_STORED]))
                self.link.publish(mqtt.ReceiptsStored.topic(self.base, node_id=node_id),
                                  mqtt.ReceiptsStored(chunk).to_json(), qos=1)
                sent += 1
        self._stored.clear()
        return sent

    def run(self, stop: threading.Event, idle: float = 0.2) -> None:
        """Publish until ``stop``: at once when a delivery commits (hub.outbox.wake), else every ``idle`` s."""
        for message in (mqtt.Receipt, mqtt.MissedRequest, mqtt.NodeStatus):
            self.link.subscribe(message.subscription(self.base), qos=1)
        self.link.start()
        wake.Listener(self.wake, stop).start()
        log.info("publisher started")
        try:
            while not stop.is_set():
                close_old_connections()
                self.wake.clear()  # before the step: a commit during it makes the wait below return at once
                try:
                    self.leading = lead.leads()
                    self._drain_inbox()
                    busy = self.link.connected.is_set() and self.leading and self.step() > 0
                    if not self.leading and self.link.connected.is_set():
                        self.confirm()
                except Exception:
                    log.exception("publisher loop failed; continuing")
                    busy = False
                if not busy:
                    self._rest(stop, idle)
        finally:
            self.link.stop()
            log.info("publisher stopped")

    def step(self) -> int:
        """One turn while connected: confirmations, configs, the outbox, redeliveries; how much was done."""
        now = self.clock()
        done = self.confirm()
        self.configs.push_if_due()
        done += self.publish_pending()
        self.redeliverer.lapse(now)
        return done + self.redeliverer.redeliver_due(now)

    def _rest(self, stop: threading.Event, idle: float) -> None:
        """Wait up to ``idle`` s for a wake, looking at ``stop`` at least twice a second."""
        deadline = time.monotonic() + idle
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if self.wake.wait(min(left, 0.5)):
                return

    def _drain_inbox(self) -> None:
        while True:
            try:
                event = self.link.inbox.get_nowait()
            except queue.Empty:
                return
            self.handle(event)


def _seconds_left(expires_at: datetime | None, now: datetime) -> int | None:
    if expires_at is None:
        return None
    return max(1, int((expires_at - now).total_seconds()))


def make_link(client_id: str = "") -> Link:
    """The hub's broker link: retained ``online``/``offline`` on ``hub/status``.

    Its client id is ``shopcrier-hub``, or ``shopcrier-hub-<instance>`` with
    ``SHOPCRIER_HUB_INSTANCE`` set: several ``run`` processes on one broker each
    need their own (the broker would push one off for the other)."""
    from django.conf import settings

    if not client_id:
        client_id = f"shopcrier-hub-{settings.HUB_INSTANCE}" if settings.HUB_INSTANCE else "shopcrier-hub"

    return Link(
        settings.MQTT_BROKER,
        client_id,
        status_topic=mqtt.HubStatus.topic(settings.MQTT_BASE_TOPIC),
        manual_ack=True,
    )
