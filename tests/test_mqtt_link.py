"""Link against a real, private Mosquitto: birth and LWT, persistent sessions,
reconnect after a broker restart, message expiry, PUBACK waits.

Every wait polls against a deadline; the only fixed pauses are the ones the
protocol itself sets (a message's expiry, the keepalive).
"""

from __future__ import annotations

import os
import queue
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mqtt import (
    Announcement,
    BrokerSettings,
    Command,
    Connected,
    Disconnected,
    Link,
    LinkEvent,
    NodeStatus,
    Received,
    Route,
    wait_all,
)
from mqtt.broker import Mosquitto, free_port
from mqtt.client import DEFAULT_SESSION_EXPIRY

REPO = Path(__file__).resolve().parent.parent
KEEPALIVE = 5
ROUTE = Route("ops", "orders")
ORDERS = Announcement.topic_for(ROUTE)

MakeLink = Callable[..., Link]


def settings_for(broker: Mosquitto) -> BrokerSettings:
    return BrokerSettings.from_url(f"{broker.url}?keepalive={KEEPALIVE}")


@pytest.fixture
def make_link(broker: Mosquitto) -> Iterator[MakeLink]:
    """Makes Links to ``broker`` (keepalive 5 s) and stops each one after the test.

    ``start=True`` (the default) starts it and waits until it is connected.
    """
    made: list[Link] = []

    def make(
        client_id: str,
        *,
        start: bool = True,
        subscribe: tuple[str, ...] = (),
        status_topic: str | None = None,
        clean_start: bool = False,
        session_expiry: int = DEFAULT_SESSION_EXPIRY,
        manual_ack: bool = False,
    ) -> Link:
        link = Link(
            settings_for(broker),
            client_id,
            status_topic=status_topic,
            clean_start=clean_start,
            session_expiry=session_expiry,
            manual_ack=manual_ack,
        )
        made.append(link)
        for topic_filter in subscribe:
            link.subscribe(topic_filter)
        if start:
            link.start()
            assert link.wait_connected(10), f"{client_id} did not connect to {broker.url}"
        return link

    yield make
    for link in made:
        link.stop(timeout=2)


def watcher(make_link: MakeLink, client_id: str, *filters: str) -> Link:
    """A throwaway subscriber (clean start, no session kept)."""
    return make_link(client_id, subscribe=filters, clean_start=True, session_expiry=0)


def collect_until(link: Link, predicate: Callable[[LinkEvent], bool], timeout: float = 10.0) -> list[LinkEvent]:
    """Events from ``link``'s inbox up to and including the first that matches."""
    deadline = time.monotonic() + timeout
    seen: list[LinkEvent] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = link.inbox.get(timeout=min(left, 0.1))
        except queue.Empty:
            continue
        seen.append(event)
        if predicate(event):
            return seen
    raise AssertionError(f"{link.client_id}: nothing matched in {timeout}s; saw {seen}")


def wait_for(link: Link, predicate: Callable[[LinkEvent], bool], timeout: float = 10.0) -> LinkEvent:
    return collect_until(link, predicate, timeout)[-1]


def status(payload: bytes, *, retained: bool | None = None) -> Callable[[LinkEvent], bool]:
    """Matches a Received status ``payload`` (and its retain flag, when given)."""

    def match(event: LinkEvent) -> bool:
        return (
            isinstance(event, Received)
            and NodeStatus.is_topic(event.topic)
            and event.payload == payload
            and (retained is None or event.retain == retained)
        )

    return match


def drain(link: Link) -> list[LinkEvent]:
    """Whatever is in ``link``'s inbox now."""
    events: list[LinkEvent] = []
    while True:
        try:
            events.append(link.inbox.get_nowait())
        except queue.Empty:
            return events


def announcement(id: str, text: str = "客户张三提交了订单10023") -> Announcement:
    return Announcement(id=id, text=text, category="order", route=ROUTE)


def announcements(events: list[LinkEvent]) -> list[str]:
    """The ids of the announcements among ``events``, in order, probes left out."""
    ids = [
        Announcement.from_json(e.payload).id
        for e in events
        if isinstance(e, Received) and Announcement.parse_topic(e.topic) is not None
    ]
    return [id for id in ids if not id.startswith("probe-")]


def is_announcement(id: str) -> Callable[[LinkEvent], bool]:
    def match(event: LinkEvent) -> bool:
        return (
            isinstance(event, Received)
            and Announcement.parse_topic(event.topic) is not None
            and Announcement.from_json(event.payload).id == id
        )

    return match


def sync(subscriber: Link, publisher: Link, topic: str = ORDERS, timeout: float = 10.0) -> None:
    """Return once ``subscriber``'s subscription to ``topic`` is in place at the broker.

    A SUBSCRIBE is asynchronous; a probe announcement published until one
    arrives proves the broker has it.
    """
    deadline = time.monotonic() + timeout
    n = 0
    while True:
        n += 1
        probe = f"probe-{n}"
        publisher.publish(topic, announcement(probe).to_json(), qos=1)
        try:
            wait_for(subscriber, is_announcement(probe), timeout=0.5)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


# -- connecting, birth and last will -------------------------------------------


def test_a_link_connects_and_says_so_in_its_inbox(make_link: MakeLink) -> None:
    link = make_link("spk-orders-1", clean_start=True, session_expiry=0)
    assert link.connected.is_set()
    assert wait_for(link, lambda e: isinstance(e, Connected)) == Connected(session_present=False)


def test_the_retained_birth_online_is_visible_to_a_later_client(make_link: MakeLink) -> None:
    topic = NodeStatus.topic(node_id="spk-orders-1")
    make_link("spk-orders-1", status_topic=topic)
    watch = watcher(make_link, "watcher", NodeStatus.subscription())
    event = wait_for(watch, status(b"online"))
    assert isinstance(event, Received)
    assert (event.topic, event.retain, event.qos) == (topic, True, 1)
    assert NodeStatus.parse(event.payload) is True


def test_stop_publishes_a_retained_offline(make_link: MakeLink) -> None:
    topic = NodeStatus.topic(node_id="spk-orders-1")
    link = make_link("spk-orders-1", status_topic=topic)
    watch = watcher(make_link, "watcher", topic)
    wait_for(watch, status(b"online"))

    link.stop()
    wait_for(watch, status(b"offline", retained=False))
    assert not link.connected.is_set()
    later = watcher(make_link, "later", topic)
    assert wait_for(later, status(b"offline")) == Received(topic, b"offline", retain=True, qos=1)


LWT_SCRIPT = """
import sys, time
from mqtt import BrokerSettings, Link
link = Link(BrokerSettings.from_url(sys.argv[1]), sys.argv[2], status_topic=sys.argv[3])
link.start()
if not link.wait_connected(10):
    sys.exit("no connection")
print("ready", flush=True)
time.sleep(120)
"""


@pytest.fixture
def node_process(broker: Mosquitto) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Starts a real process holding a Link with a status topic; waits for its "ready"."""
    started: list[subprocess.Popen[str]] = []

    def start(node_id: str) -> subprocess.Popen[str]:
        url = f"{broker.url}?keepalive={KEEPALIVE}"
        process = subprocess.Popen(
            [sys.executable, "-c", LWT_SCRIPT, url, node_id, NodeStatus.topic(node_id=node_id)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None and process.stderr is not None
        ready, _, _ = select.select([process.stdout], [], [], 15)
        line = process.stdout.readline() if ready else ""
        if line != "ready\n":
            process.kill()
            pytest.fail(f"the node process did not start: {line!r} {process.stderr.read()}")
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def test_a_killed_node_leaves_a_retained_offline(
    make_link: MakeLink, node_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    topic = NodeStatus.topic(node_id="spk-lwt")
    process = node_process("spk-lwt")
    watch = watcher(make_link, "watcher", topic)
    wait_for(watch, status(b"online"))

    process.send_signal(signal.SIGKILL)
    wait_for(watch, status(b"offline"), timeout=KEEPALIVE * 1.5 + 5)
    later = watcher(make_link, "later", topic)
    assert wait_for(later, status(b"offline")) == Received(topic, b"offline", retain=True, qos=1)


def test_a_frozen_node_is_declared_offline_once_its_keepalive_runs_out(
    make_link: MakeLink, node_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    """A node that loses power or network sends no FIN: only the keepalive catches it.

    MQTT says 1.5 keepalives; Mosquitto 2.0 checks keepalives on its own
    period, and was seen to take about 11 s for a keepalive of 5 s.
    """
    topic = NodeStatus.topic(node_id="spk-frozen")
    process = node_process("spk-frozen")
    watch = watcher(make_link, "watcher", topic)
    wait_for(watch, status(b"online"))

    process.send_signal(signal.SIGSTOP)  # the socket stays open; no more PINGREQs
    try:
        frozen = time.monotonic()
        wait_for(watch, status(b"offline"), timeout=KEEPALIVE * 3 + 5)
        assert time.monotonic() - frozen > 1.0, "the broker cannot have noticed a frozen node this soon"
        later = watcher(make_link, "later", topic)
        assert wait_for(later, status(b"offline")) == Received(topic, b"offline", retain=True, qos=1)
    finally:
        process.send_signal(signal.SIGKILL)


# -- persistent sessions and expiry ----------------------------------------------


def test_a_persistent_session_keeps_qos1_messages_while_the_node_is_away(make_link: MakeLink) -> None:
    hub = make_link("hub", clean_start=True, session_expiry=0)
    node = make_link("spk-orders-1", subscribe=tuple(Announcement.subscriptions(ROUTE)))
    sync(node, hub)
    node.stop()

    sent = [announcement(f"a{i}", f"订单{i}") for i in range(5)]
    infos = [hub.publish(a.topic(), a.to_json(), qos=1) for a in sent]
    assert wait_all(infos, timeout=5)

    # the same client id, and no subscribe of its own: the session at the broker delivers
    back = make_link("spk-orders-1", start=False)
    back.start()
    assert wait_for(back, lambda e: isinstance(e, Connected)) == Connected(session_present=True)
    events = collect_until(back, is_announcement("a4"))
    assert announcements(events) == ["a0", "a1", "a2", "a3", "a4"]
    received = [e for e in events if isinstance(e, Received)]
    assert all(e.qos == 1 and not e.retain for e in received)
    assert Announcement.from_json(received[-1].payload) == Announcement.from_json(sent[-1].to_json())


def test_a_message_not_yet_acked_is_delivered_again_after_a_reconnect(make_link: MakeLink) -> None:
    """manual_ack: the receiver acks after its own commit, so dying before it loses nothing."""
    hub = make_link("hub", clean_start=True, session_expiry=0)
    node = make_link("spk-orders-1", subscribe=(ORDERS,), manual_ack=True)
    sync(node, hub)
    for event in drain(node):
        if isinstance(event, Received):
            node.ack(event)
    assert wait_all([hub.publish(ORDERS, announcement("unacked").to_json(), qos=1)], timeout=5)
    wait_for(node, is_announcement("unacked"))
    node.stop()  # gone before it acknowledged

    back = make_link("spk-orders-1", subscribe=(ORDERS,), manual_ack=True)
    again = wait_for(back, is_announcement("unacked"))
    assert isinstance(again, Received)
    back.ack(again)
    back.stop()

    # acknowledged this time: the next session does not get it again
    third = make_link("spk-orders-1", subscribe=(ORDERS,), manual_ack=True)
    assert wait_all([hub.publish(ORDERS, announcement("after").to_json(), qos=1)], timeout=5)
    assert announcements(collect_until(third, is_announcement("after"))) == ["after"]


def test_a_clean_start_link_gets_nothing_sent_while_it_was_away(make_link: MakeLink) -> None:
    hub = make_link("hub", clean_start=True, session_expiry=0)
    node = make_link("spk-orders-1", subscribe=(ORDERS,), clean_start=True, session_expiry=0)
    sync(node, hub)
    node.stop()
    assert wait_all([hub.publish(ORDERS, announcement("missed").to_json(), qos=1)], timeout=5)

    back = make_link("spk-orders-1", start=False, subscribe=(ORDERS,), clean_start=True, session_expiry=0)
    back.start()
    assert wait_for(back, lambda e: isinstance(e, Connected)) == Connected(session_present=False)
    sync(back, hub)
    assert announcements(drain(back)) == []


def test_an_expired_message_is_not_delivered_to_a_returning_node(make_link: MakeLink) -> None:
    hub = make_link("hub", clean_start=True, session_expiry=0)
    node = make_link("spk-orders-1", subscribe=(ORDERS,))
    sync(node, hub)
    node.stop()

    short = hub.publish(ORDERS, announcement("short-lived").to_json(), qos=1, expiry=1)
    long = hub.publish(ORDERS, announcement("long-lived").to_json(), qos=1, expiry=60)
    assert wait_all([short, long], timeout=5)
    time.sleep(3)  # the protocol's own clock: let the 1 s expiry pass (the broker counts whole seconds)

    back = make_link("spk-orders-1", start=False)
    back.start()
    events = collect_until(back, is_announcement("long-lived"))
    # queued in order: had "short-lived" been delivered, it would have come first
    assert announcements(events) == ["long-lived"]


def test_wait_all_returns_true_once_every_publish_is_acknowledged(make_link: MakeLink) -> None:
    hub = make_link("hub", clean_start=True, session_expiry=0)
    infos = [hub.publish(ORDERS, announcement(f"a{i}").to_json(), qos=1) for i in range(50)]
    assert wait_all(infos, timeout=5)
    assert all(info.is_published() for info in infos)
    assert wait_all([], timeout=0)


def test_wait_all_returns_false_when_there_is_no_broker() -> None:
    nobody = BrokerSettings.from_url(f"mqtt://127.0.0.1:{free_port()}?keepalive=5")
    link = Link(nobody, "lonely", clean_start=True, session_expiry=0)
    link.start()
    try:
        assert not link.wait_connected(0.5)
        started = time.monotonic()
        assert wait_all([link.publish(ORDERS, b"{}", qos=1)], timeout=1) is False
        assert time.monotonic() - started < 2
    finally:
        link.stop(timeout=1)


def test_a_link_started_before_its_broker_connects_once_the_broker_is_up(
    broker: Mosquitto, make_link: MakeLink
) -> None:
    broker.stop()
    link = make_link("spk-early", start=False, status_topic=NodeStatus.topic(node_id="spk-early"))
    link.start()
    assert not link.wait_connected(0.5)
    broker.start()
    assert link.wait_connected(15)
    watch = watcher(make_link, "watcher", NodeStatus.topic(node_id="spk-early"))
    wait_for(watch, status(b"online"))


# -- broker restart ----------------------------------------------------------------


@pytest.mark.parametrize("clean_start", [False, True], ids=["persistent session", "clean start"])
def test_after_a_broker_restart_a_link_reconnects_resubscribes_and_says_online_again(
    broker: Mosquitto, make_link: MakeLink, clean_start: bool
) -> None:
    """With a clean start the broker forgets the subscription: only the Link's resubscribe brings messages back."""
    node_id = "spk-orders-1"
    topic = NodeStatus.topic(node_id=node_id)
    cmd_topic = Command.topic(node_id=node_id)
    session_expiry = 0 if clean_start else 3600
    node = make_link(
        node_id, subscribe=(cmd_topic,), status_topic=topic, clean_start=clean_start, session_expiry=session_expiry
    )
    # the watcher keeps its session, so it hears the fresh birth whichever of the two reconnects first
    watch = make_link("watcher", subscribe=(topic,))
    wait_for(watch, status(b"online"))
    drain(node)

    broker.stop()
    wait_for(node, lambda e: isinstance(e, Disconnected))
    assert not node.connected.is_set()
    broker.start()

    assert wait_for(node, lambda e: isinstance(e, Connected), timeout=15) == Connected(session_present=not clean_start)
    # a birth published live after the restart (a retained copy would carry retain=True)
    wait_for(watch, status(b"online", retained=False), timeout=15)

    hub = make_link("hub", clean_start=True, session_expiry=0)
    command = Command(id="c-after-restart", cmd="volume", args={"level": 40})
    deadline = time.monotonic() + 10
    while True:  # the resubscribe may still be on its way
        hub.publish(cmd_topic, command.to_json(), qos=1)
        try:
            event = wait_for(node, lambda e: isinstance(e, Received) and e.topic == cmd_topic, timeout=0.5)
            break
        except AssertionError:
            assert time.monotonic() < deadline, "the node never heard a command after the restart"
    assert isinstance(event, Received)
    assert Command.from_json(event.payload) == command
    assert not event.retain


def test_messages_queued_for_an_absent_node_survive_a_broker_restart(broker: Mosquitto, make_link: MakeLink) -> None:
    hub = make_link("hub", clean_start=True, session_expiry=0)
    node = make_link("spk-orders-1", subscribe=(ORDERS,))
    sync(node, hub)
    node.stop()
    assert wait_all([hub.publish(ORDERS, announcement("queued").to_json(), qos=1, expiry=600)], timeout=5)
    hub.stop()

    broker.restart()

    back = make_link("spk-orders-1", start=False)
    back.start()
    events = collect_until(back, is_announcement("queued"), timeout=15)
    assert announcements(events) == ["queued"]
