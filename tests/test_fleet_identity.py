"""One identity per login: no account can take over another client's session and wipe its queue.

A real Mosquitto on the files generated from the registry (the ``fleet``
fixture). The broker takes each login's user name as its client id, so a
speaker asking for another speaker's id, or the hub's, gets its own session
instead: the victim stays connected and its queued messages survive.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

import mqtt
from hub.fleet.accounts import MONITOR_ROLE, reserved_names, role_settings
from hub.fleet.enrol import EnrolError, enroll
from mqtt import BrokerSettings, Receipt, Route
from mqtt.client import Link
from tests.fleet_helpers import Client
from tests.test_fleet_broker import Fleet, fleet  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

ORDERS = mqtt.Announcement.topic_for(Route("ops", "orders"))
QUEUED = 5


def settings(fleet: Fleet, username: str) -> BrokerSettings:  # noqa: F811
    return BrokerSettings("127.0.0.1", fleet.broker.config.port, username=username, password=fleet.passwords[username])


@pytest.fixture
def links() -> Iterator[list[Link]]:
    made: list[Link] = []
    yield made
    for link in made:
        link.stop()


def session(links: list[Link], broker: BrokerSettings, client_id: str, *filters: str, clean: bool = False) -> Link:
    """A connected link; a persistent session unless ``clean``."""
    link = Link(broker, client_id, clean_start=clean, session_expiry=0 if clean else 3600)
    for topic_filter in filters:
        link.subscribe(topic_filter)
    links.append(link)
    link.start()
    assert link.wait_connected(5), f"{broker.username} as {client_id} was not let in"
    return link


def subscribed(link: Link, sender: Client, topic: str) -> None:
    """Wait until ``link``'s subscription to ``topic`` is in place: ``sender``'s probe on it arrives."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        sender.publish(topic, b"probe")
        try:
            while True:
                event = link.inbox.get(timeout=0.2)
                if isinstance(event, mqtt.Received) and event.payload == b"probe":
                    return
        except queue.Empty:
            continue
    raise AssertionError(f"{link.client_id} never got its subscription to {topic}")


def received(link: Link, count: int, timeout: float = 5.0) -> list[bytes]:
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        try:
            event = link.inbox.get(timeout=0.1)
        except queue.Empty:
            continue
        if isinstance(event, mqtt.Received) and event.payload != b"probe":
            got.append(event.payload)
    return got


def test_a_speaker_using_another_speakers_client_id_leaves_its_queued_announcements_alone(
    fleet: Fleet, links: list[Link]  # noqa: F811
) -> None:
    victim = session(links, settings(fleet, "spk-orders"), "spk-orders", ORDERS)
    hub = fleet.connected(fleet.hub.username)
    subscribed(victim, hub, ORDERS)
    victim.stop()
    for n in range(QUEUED):
        hub.publish(ORDERS, f"queued-{n}".encode())

    impostor = session(links, settings(fleet, "spk-finance"), "spk-orders", clean=True)  # would wipe the session
    impostor.stop()

    back = session(links, settings(fleet, "spk-orders"), "spk-orders", ORDERS)
    assert received(back, QUEUED) == [f"queued-{n}".encode() for n in range(QUEUED)]


def test_a_speaker_using_the_hubs_client_id_leaves_the_hubs_queued_receipts_alone(
    fleet: Fleet, links: list[Link]  # noqa: F811
) -> None:
    receipts = Receipt.subscription()
    hub = session(links, settings(fleet, fleet.hub.username), "shopcrier-hub", receipts)
    speaker = fleet.connected("spk-orders")
    subscribed(hub, speaker, Receipt.topic(node_id="spk-orders"))
    hub.stop()
    for n in range(3):
        speaker.publish(Receipt.topic(node_id="spk-orders"), f"receipt-{n}".encode())

    impostor = session(links, settings(fleet, "spk-finance"), "shopcrier-hub", clean=True)
    impostor.stop()

    back = session(links, settings(fleet, fleet.hub.username), "shopcrier-hub", receipts)
    assert received(back, 3) == [f"receipt-{n}".encode() for n in range(3)]


def test_an_impostor_does_not_push_the_real_client_off_and_the_hubs_links_do_not_push_each_other(
    fleet: Fleet, links: list[Link]  # noqa: F811
) -> None:
    victim = session(links, settings(fleet, "spk-orders"), "spk-orders")
    publisher = session(links, settings(fleet, fleet.hub.username), "shopcrier-hub")
    monitor = session(links, role_settings(settings(fleet, fleet.hub.username), MONITOR_ROLE), "shopcrier-hub-monitor-1")
    for wanted in ("spk-orders", "shopcrier-hub", "shopcrier-hub-monitor"):
        session(links, settings(fleet, "spk-finance"), wanted, clean=True).stop()
    time.sleep(1.0)  # a takeover would have dropped them by now (the broker closes the old socket at once)
    assert victim.connected.is_set() and publisher.connected.is_set() and monitor.connected.is_set()
    log = fleet.broker.log_tail(100)
    assert log.count("as spk-finance (") == 3
    for owner in ("spk-orders", "shopcrier-hub", "shopcrier-hub-monitor"):
        assert f"Client {owner} already connected" not in log


def test_no_speaker_can_be_enrolled_under_a_hub_links_account_name(fleet: Fleet) -> None:  # noqa: F811
    reserved = reserved_names(fleet.hub, fleet.tools)
    for name in ("shopcrier-hub", "shopcrier-hub-monitor", "shopcrier-tools"):
        with pytest.raises(EnrolError, match="is the name of a service account"):
            enroll(name, "orders", reserved=reserved)
