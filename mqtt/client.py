"""The client factory: one MQTT 5 connection that keeps itself up.

:class:`Link` wraps a paho-mqtt 2.x client with the conventions every
ShopCrier process shares: a persistent session (clean start off, a session
expiry), a retained ``online`` birth and ``offline`` LWT when a status topic is
given, reconnect with exponential backoff, resubscription and a fresh birth on
every reconnect. paho's callbacks only put :data:`LinkEvent` items on
``inbox``; the owner's main loop does the work.
"""

from __future__ import annotations

import functools
import logging
import queue
import ssl
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from .link_problem import describe_loss, describe_os_error, describe_refusal
from .url import BrokerSettings

log = logging.getLogger(__name__)

DEFAULT_SESSION_EXPIRY = 7 * 24 * 3600


@dataclass(frozen=True)
class Received:
    """A message from the broker. ``mid`` is what :meth:`Link.ack` acknowledges."""

    topic: str
    payload: bytes
    retain: bool
    qos: int
    mid: int = field(default=0, compare=False)  # the broker-side handle, not part of the message


@dataclass(frozen=True)
class Connected:
    session_present: bool


@dataclass(frozen=True)
class Disconnected:
    reason: str


LinkEvent = Received | Connected | Disconnected


class Link:
    """A self-healing MQTT 5 connection.

    ``status_topic``: where the retained ``online`` birth and the ``offline``
    LWT go. ``session_expiry`` (seconds) keeps queued QoS 1 messages at the
    broker while the client is away; 0 with ``clean_start=True`` for a
    throwaway client. ``manual_ack``: QoS 1 messages are acknowledged only by
    :meth:`ack`, after the owner has stored them.
    """

    def __init__(
        self,
        settings: BrokerSettings,
        client_id: str,
        *,
        status_topic: str | None = None,
        clean_start: bool = False,
        session_expiry: int = DEFAULT_SESSION_EXPIRY,
        backoff: tuple[int, int] = (1, 30),
        manual_ack: bool = False,
    ) -> None:
        self.settings = settings
        self.client_id = client_id
        self.status_topic = status_topic
        self.clean_start = clean_start
        self.session_expiry = session_expiry
        self.inbox: queue.Queue[LinkEvent] = queue.Queue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker acknowledged the subscriptions made on connect
        self._connect_sub_mid: int | None = None
        self.refused: str | None = None  # the broker's reason while it refuses our CONNECT
        self._stopping = False
        self._subscriptions: dict[str, int] = {}
        self._lock = threading.Lock()
        self.problem = ""  # why the link is not up, in words ("" while it is); see :meth:`_note_problem`

        client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5, manual_ack=manual_ack
        )
        if settings.username:
            client.username_pw_set(settings.username, settings.password)
        if settings.tls:
            client.tls_set(ca_certs=settings.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        if status_topic:
            client.will_set(status_topic, b"offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=backoff[0], max_delay=backoff[1])
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        self._client = client

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> None:
        """Connect in the background; reconnects by itself until :meth:`stop`."""
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.session_expiry
        self._client.connect_async(
            self.settings.host,
            self.settings.port,
            keepalive=self.settings.keepalive,
            clean_start=self.clean_start,
            properties=props,
        )
        self._client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Say ``offline`` (when there is a status topic) and disconnect cleanly."""
        if self.status_topic and self.connected.is_set():
            info = self._client.publish(self.status_topic, b"offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError):
                pass
        self._stopping = True
        self._client.disconnect()
        self._client.loop_stop()
        self.connected.clear()

    # -- subscriptions -------------------------------------------------------
    def subscribe(self, topic_filter: str, qos: int = 1) -> None:
        """Subscribe now if connected, and again after every reconnect."""
        # Under the lock that _on_connect holds while it resubscribes and marks us
        # connected: otherwise a filter added between the two is never sent.
        with self._lock:
            self._subscriptions[topic_filter] = qos
            if self.connected.is_set():
                self._client.subscribe(topic_filter, qos)

    def unsubscribe(self, topic_filter: str) -> None:
        with self._lock:
            self._subscriptions.pop(topic_filter, None)
            if self.connected.is_set():
                self._client.unsubscribe(topic_filter)

    @property
    def subscriptions(self) -> dict[str, int]:
        with self._lock:
            return dict(self._subscriptions)

    def ack(self, message: Received) -> None:
        """With ``manual_ack``: tell the broker ``message`` is safely handled (the PUBACK).

        Until then the broker holds it, and sends it again after a reconnect:
        a receiver that acks only after its own commit loses nothing in a crash.
        """
        if message.qos > 0:
            self._client.ack(message.mid, message.qos)

    # -- publishing ------------------------------------------------------------
    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int = 1,
        retain: bool = False,
        expiry: int | None = None,
    ) -> paho.MQTTMessageInfo:
        """Queue a publish; the returned info's ``wait_for_publish`` waits for PUBACK.

        ``expiry`` (seconds) sets the MQTT 5 message expiry: the broker drops
        the message for a subscriber that has not received it by then.
        """
        props = _expiry_properties(max(1, int(expiry))) if expiry is not None else None
        return self._client.publish(topic, payload, qos=qos, retain=retain, properties=props)

    # -- paho callbacks: hand over, never work ---------------------------------
    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Any
    ) -> None:
        if reason.is_failure:
            self._note_problem(describe_refusal(reason))
            self.refused = str(reason)
            return
        self.refused = None
        self.problem = ""
        with self._lock:
            subs = dict(self._subscriptions)
            self.subscribed.clear()
            if subs:
                _, self._connect_sub_mid = client.subscribe([(topic, qos) for topic, qos in subs.items()])
            else:
                self.subscribed.set()
            if self.status_topic:
                client.publish(self.status_topic, b"online", qos=1, retain=True)
            self.connected.set()
        log.info("connected to %s as %s (session present: %s)", self.settings, self.client_id, flags.session_present)
        self.inbox.put(Connected(session_present=bool(flags.session_present)))

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Any
    ) -> None:
        was_connected = self.connected.is_set()
        self.connected.clear()
        self.subscribed.clear()
        if was_connected and not self._stopping:
            self._note_problem(describe_loss(reason))
            self.inbox.put(Disconnected(reason=str(reason)))

    def _on_subscribe(self, client: paho.Client, userdata: Any, mid: int, reasons: Any, properties: Any) -> None:
        if mid == self._connect_sub_mid:  # until now a publish to these topics could pass the broker unheard
            self.subscribed.set()

    def _on_connect_fail(self, client: paho.Client, userdata: Any) -> None:
        # paho calls this inside the except that caught the connect's OSError
        self._note_problem(describe_os_error(sys.exc_info()[1]))

    def _note_problem(self, problem: str) -> None:
        """Log why the link is down at once (URL without password, and the cause); the
        same cause again on each reconnect attempt only at debug level, so the log says
        it once and again only when it changes."""
        if problem != self.problem:
            log.error("broker %s unreachable for %s: %s", self.settings.safe_url, self.client_id, problem)
        else:
            log.debug("broker %s still unreachable for %s: %s", self.settings.safe_url, self.client_id, problem)
        self.problem = problem

    def problem_line(self) -> str:
        """``mqtt://host:1883: connection refused (…)`` while the link is down with a known cause, else ""."""
        return f"{self.settings.safe_url}: {self.problem}" if self.problem and not self.connected.is_set() else ""

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        self.inbox.put(Received(message.topic, bytes(message.payload), bool(message.retain), message.qos, message.mid))


class _PackedOnce(Properties):
    """Properties never changed after they are built, so packed once, not on every send."""

    def freeze(self) -> _PackedOnce:
        object.__setattr__(self, "_packed", super().pack())  # type: ignore[no-untyped-call]
        return self

    def pack(self) -> bytes:
        packed: bytes = object.__getattribute__(self, "_packed")
        return packed


@functools.lru_cache(maxsize=4096)
def _expiry_properties(seconds: int) -> Properties:
    """PUBLISH properties carrying a message expiry, shared by every publish with the same one.

    Building and packing paho's Properties cost more than the rest of a publish
    (the outbox publisher ran at half the rate of a bare paho client with them);
    paho only reads them, so one per value will do.
    """
    props = _PackedOnce(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.MessageExpiryInterval = seconds
    return props.freeze()


def is_acked(info: paho.MQTTMessageInfo) -> bool:
    """True once the broker acknowledged the publish; False too when paho never queued it."""
    try:
        return info.is_published()
    except (RuntimeError, ValueError):
        return False


def wait_all(infos: list[paho.MQTTMessageInfo], timeout: float) -> bool:
    """Wait until every publish is acknowledged; False if the time ran out first."""
    deadline = time.monotonic() + timeout
    try:
        for info in infos:
            if info.is_published():
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            info.wait_for_publish(left)
            if not info.is_published():
                return False
    except (RuntimeError, ValueError):  # paho's way of saying it was never queued
        return False
    return True
