"""The generated password and ACL files, in a real Mosquitto.

Each test enrols speakers in the registry, writes the broker's files from it
and starts a private Mosquitto on them. "Not delivered" is proven without a
fixed pause: the forbidden message is published (and PUBACKed, so the broker
has routed or dropped it) before a marker that the same receiver does get;
Mosquitto keeps each receiver's messages in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hub.fleet import access
from hub.fleet.accounts import ServiceAccount, hub_account, tools_account
from hub.fleet.enrol import enroll, revoke, rotate
from hub.org.models import Department, Staff, Subsystem
from mqtt import (
    Alert,
    Announcement,
    BrokerSettings,
    Command,
    Event,
    Heartbeat,
    NodeConfig,
    NodeStatus,
    Receipt,
    Reply,
    Route,
)
from mqtt.broker import BrokerConfig, Mosquitto, free_port
from tests.fleet_helpers import Client

pytestmark = pytest.mark.django_db

ORDERS = Route("ops", "orders")
FINANCE = Route("ops", "finance")
STAFF_007 = Route("ops", "orders", "007")


@dataclass
class Fleet:
    """A broker on files generated from a registry with two speakers."""

    broker: Mosquitto
    broker_dir: Path
    hub: ServiceAccount
    tools: ServiceAccount
    passwords: dict[str, str]
    clients: list[Client]

    def client(self, username: str | None, password: str | None = None) -> Client:
        if username is not None and password is None:
            password = self.passwords[username]
        made = Client(self.broker.config.port, username, password)
        self.clients.append(made)
        return made

    def connected(self, username: str) -> Client:
        made = self.client(username)
        assert made.connect(), f"{username} refused: {made.connack}"
        return made

    def refresh(self) -> None:
        """What every fleet change does: rewrite the files, SIGHUP the broker."""
        access.write(self.broker_dir, access.build(self.hub, self.tools, "shopcrier"))
        self.broker.reload()

    def refused_within(self, username: str, password: str, timeout: float = 5.0) -> Client:
        """Connects until the broker refuses (a reload is asynchronous); returns the refused client."""
        deadline = time.monotonic() + timeout
        while True:
            made = self.client(username, password)
            if not made.connect():
                return made
            made.close()
            assert time.monotonic() < deadline, f"{username} still accepted after {timeout}s"
            time.sleep(0.05)


def make_org() -> None:
    """ops/orders with staff 007, ops/finance (the default data may hold some of them already)."""
    ops, _ = Subsystem.objects.get_or_create(slug="ops", defaults={"name": "Operations"})
    orders, _ = Department.objects.get_or_create(slug="orders", defaults={"subsystem": ops, "name": "Orders"})
    Department.objects.get_or_create(slug="finance", defaults={"subsystem": ops, "name": "Finance"})
    Staff.objects.get_or_create(number="007", defaults={"department": orders, "name": "Bond"})


def dropped_within(client: Client, timeout: float = 2.0) -> bool:
    """Whether ``client``'s connection is gone within ``timeout`` (paho sees the close a moment later)."""
    deadline = time.monotonic() + timeout
    while client.paho.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not client.paho.is_connected()


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    make_org()
    _, orders_pw = enroll("spk-orders", "orders", staff=["007"])
    _, finance_pw = enroll("spk-finance", "finance")
    hub = hub_account(BrokerSettings.from_url("mqtt://127.0.0.1"), tmp_path)
    tools = tools_account(tmp_path)
    broker_dir = tmp_path / "access"
    passwd, acl = access.write(broker_dir, access.build(hub, tools, "shopcrier"))
    broker = Mosquitto(BrokerConfig(port=free_port(), data_dir=tmp_path / "broker", password_file=passwd, acl_file=acl))
    broker.start()
    made = Fleet(broker, broker_dir, hub, tools, {
        "spk-orders": orders_pw, "spk-finance": finance_pw, hub.username: hub.password, tools.username: tools.password,
    }, [])
    try:
        yield made
    finally:
        for client in made.clients:
            client.close()
        broker.stop()


def hub_watching(fleet: Fleet, *filters: str) -> tuple[Client, Callable[[], list[str]]]:
    """A hub client subscribed to ``filters`` and a marker; the callable publishes the marker
    and returns every topic received up to it."""
    hub = fleet.connected(fleet.hub.username)
    marker = Event.topic(category="marker")
    hub.subscribe(*filters, marker)

    def until_marker() -> list[str]:
        hub.publish(marker)
        return hub.topics_until(marker)

    return hub, until_marker


def test_a_node_hears_its_department_its_staff_everyone_and_its_own_config_and_commands(fleet: Fleet) -> None:
    allowed = [
        Announcement.topic_for(ORDERS), Announcement.topic_for(STAFF_007), Announcement.topic_for(Route()),
        NodeConfig.topic(node_id="spk-orders"), Command.topic(node_id="spk-orders"),
    ]
    node = fleet.connected("spk-orders")
    assert all(not code.is_failure for code in node.subscribe(*allowed))
    hub = fleet.connected(fleet.hub.username)
    for topic in allowed:
        hub.publish(topic)
    assert node.topics_until(allowed[-1]) == allowed


def test_a_node_hears_nothing_of_another_department_or_another_nodes_commands(fleet: Fleet) -> None:
    foreign = [Announcement.topic_for(FINANCE), Command.topic(node_id="spk-finance"),
               NodeConfig.topic(node_id="spk-finance")]
    own = Announcement.topic_for(ORDERS)
    node = fleet.connected("spk-orders")
    # Mosquitto 2.0.11 grants every filter in the SUBACK and checks read access per message.
    node.subscribe(*foreign, Announcement.all_filter(), own)
    hub = fleet.connected(fleet.hub.username)
    for topic in foreign:
        hub.publish(topic)
    hub.publish(own)
    assert node.topics_until(own) == [own]


def test_a_node_cannot_announce_but_its_own_heartbeat_reaches_the_hubs_shared_subscription(fleet: Fleet) -> None:
    _, until_marker = hub_watching(fleet, Announcement.all_filter(), "$share/hub/" + Heartbeat.subscription())
    node = fleet.connected("spk-orders")
    node.publish(Announcement.topic_for(ORDERS))
    node.publish(Announcement.topic_for(Route()))
    node.publish(Heartbeat.topic(node_id="spk-orders"))
    assert until_marker() == [Heartbeat.topic(node_id="spk-orders"), Event.topic(category="marker")]


def test_a_node_cannot_speak_for_another_node(fleet: Fleet) -> None:
    _, until_marker = hub_watching(fleet, "shopcrier/node/#")
    node = fleet.connected("spk-orders")
    for message in (NodeStatus, Heartbeat, Receipt, Reply):
        node.publish(message.topic(node_id="spk-finance"))
    own = [message.topic(node_id="spk-orders") for message in (NodeStatus, Heartbeat, Receipt, Reply)]
    for topic in own:
        node.publish(topic)
    assert until_marker() == [*own, Event.topic(category="marker")]


def test_a_node_cannot_command_or_configure_itself(fleet: Fleet) -> None:
    _, until_marker = hub_watching(fleet, "shopcrier/node/#")
    node = fleet.connected("spk-orders")
    node.publish(Command.topic(node_id="spk-orders"))
    node.publish(NodeConfig.topic(node_id="spk-orders"))
    assert until_marker() == [Event.topic(category="marker")]


def test_a_wrong_password_an_unknown_user_and_an_anonymous_client_are_refused(fleet: Fleet) -> None:
    for username, password in [("spk-orders", "wrong"), ("spk-orders", fleet.passwords["spk-finance"]),
                               ("nobody", "x"), (None, None)]:
        client = fleet.client(username, password)
        assert not client.connect(), f"{username} was let in"
        assert client.connack is not None and client.connack.getName() in ("Bad user name or password", "Not authorized")


def test_the_tools_account_reads_events_and_alerts_and_nothing_else(fleet: Fleet) -> None:
    tools = fleet.connected(fleet.tools.username)
    tools.subscribe(Event.subscription(), Alert.topic(), Announcement.all_filter(), "shopcrier/node/#")
    hub = fleet.connected(fleet.hub.username)
    for topic in (Announcement.topic_for(ORDERS), Heartbeat.topic(node_id="spk-orders"), Event.topic(category="order")):
        hub.publish(topic)
    hub.publish(Alert.topic())
    assert tools.topics_until(Alert.topic()) == [Event.topic(category="order"), Alert.topic()]

    _, until_marker = hub_watching(fleet, "#")
    for topic in (Alert.topic(), Event.topic(category="order"), Announcement.topic_for(Route())):
        tools.publish(topic)
    assert until_marker() == [Event.topic(category="marker")]


def test_a_revoked_node_is_dropped_and_cannot_connect_after_the_reload(fleet: Fleet) -> None:
    node = fleet.connected("spk-orders")
    revoke("spk-orders")
    fleet.refresh()
    fleet.refused_within("spk-orders", fleet.passwords["spk-orders"])
    # Mosquitto re-checks connected clients on reload: the revoked one is gone at once.
    assert dropped_within(node)
    fleet.connected("spk-finance")


def test_after_rotation_the_old_password_is_refused_and_the_new_one_accepted(fleet: Fleet) -> None:
    old = fleet.passwords["spk-orders"]
    node = fleet.connected("spk-orders")
    _, new = rotate("spk-orders")
    fleet.refresh()
    fleet.refused_within("spk-orders", old)
    assert dropped_within(node)
    fleet.passwords["spk-orders"] = new
    fleet.connected("spk-orders")
