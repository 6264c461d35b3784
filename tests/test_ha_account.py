"""Home Assistant's own broker account, in a real Mosquitto on the files ``shopcrier-hub fleet
broker-config`` writes: it reads speakers' state and heartbeats and the discovery configs, and
presses their identify and test buttons; it cannot announce, send events or alerts, configure a
speaker, speak for one, rewrite a discovery config, or read announcements, events, alerts,
configs, receipts or replies.

"Not delivered" is proven without a fixed pause, as in tests/test_fleet_broker.py: the forbidden
message is published (PUBACKed: routed or dropped) before a marker the same receiver does get.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

import mqtt
from hub.fleet.accounts import HOMEASSISTANT_PASSWORD_FILE, HOMEASSISTANT_USER, hub_account
from hub.fleet.enrol import enroll
from mqtt import Alert, Announcement, Command, Event, Heartbeat, NodeConfig, NodeStatus, Receipt, Reply, Route
from mqtt import homeassistant
from mqtt.broker import BrokerConfig, Mosquitto, free_port
from tests.attention_helpers import department
from tests.fleet_helpers import Client

pytestmark = pytest.mark.django_db

NODE = "spk-orders"
MARKER = Event.topic(category="marker")


@dataclass
class Broker:
    mosquitto: Mosquitto
    passwords: dict[str, str]
    clients: list[Client]

    def connected(self, username: str) -> Client:
        made = Client(self.mosquitto.config.port, username, self.passwords[username])
        self.clients.append(made)
        assert made.connect(), f"{username} refused: {made.connack}"
        return made


@pytest.fixture
def broker(tmp_path: Path, settings: Any) -> Iterator[Broker]:
    """A speaker enrolled, the broker's files written by the fleet command, Mosquitto on them."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.MQTT_BROKER = mqtt.BrokerSettings.from_url("mqtt://127.0.0.1")
    department("orders")
    _, node_password = enroll(NODE, "orders")
    out = tmp_path / "broker"
    call_command("fleet", "broker-config", "--out", str(out), "--port", str(free_port()), "--tls-port", "0",
                 stdout=open(tmp_path / "fleet.out", "w"))
    password_file = settings.DATA_DIR / HOMEASSISTANT_PASSWORD_FILE
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert HOMEASSISTANT_USER in (tmp_path / "fleet.out").read_text()  # the admin is told where it is
    hub = hub_account(settings.MQTT_BROKER, settings.DATA_DIR)
    mosquitto = Mosquitto(BrokerConfig(port=free_port(), data_dir=tmp_path / "state",
                                       password_file=out / "passwd", acl_file=out / "acl"))
    mosquitto.start()
    made = Broker(mosquitto, {NODE: node_password, hub.username: hub.password,
                              HOMEASSISTANT_USER: password_file.read_text().strip()}, [])
    try:
        yield made
    finally:
        for client in made.clients:
            client.close()
        mosquitto.stop()


def hub_user(broker: Broker) -> str:
    return next(name for name in broker.passwords if name not in (NODE, HOMEASSISTANT_USER))


def test_home_assistant_presses_a_speakers_identify_and_test_buttons(broker: Broker) -> None:
    speaker = broker.connected(NODE)
    speaker.subscribe(Command.topic(node_id=NODE))
    ha = broker.connected(HOMEASSISTANT_USER)
    configs = homeassistant.speaker_discovery(NODE, "orders speaker")
    for object_id in ("identify", "test"):
        press = json.loads(configs[homeassistant.discovery_topic("button", NODE, object_id)])
        ha.publish(press["command_topic"], press["payload_press"].encode())
    received = [speaker.inbox.get(timeout=5) for _ in range(2)]
    assert [mqtt.Command.from_json(m.payload).cmd for m in received] == ["identify", "say"]


def test_home_assistant_reads_speakers_state_heartbeats_and_discovery_configs(broker: Broker) -> None:
    ha = broker.connected(HOMEASSISTANT_USER)
    ha.subscribe(NodeStatus.subscription(), Heartbeat.subscription(), "homeassistant/#")
    hub = broker.connected(hub_user(broker))
    speaker = broker.connected(NODE)
    speaker.publish(NodeStatus.topic(node_id=NODE), b"online")
    speaker.publish(Heartbeat.topic(node_id=NODE))
    config = homeassistant.discovery_topic("sensor", NODE, "state")
    hub.publish(config)
    assert ha.topics_until(config) == [NodeStatus.topic(node_id=NODE), Heartbeat.topic(node_id=NODE), config]


def test_home_assistant_reads_no_announcement_event_alert_config_receipt_or_reply(broker: Broker) -> None:
    ha = broker.connected(HOMEASSISTANT_USER)
    ha.subscribe("#")
    hub = broker.connected(hub_user(broker))
    secret = [Announcement.topic_for(Route("ops", "orders")), Announcement.topic_for(Route()), Event.topic(category="order"),
              Alert.topic(), NodeConfig.topic(node_id=NODE), Receipt.topic(node_id=NODE), Reply.topic(node_id=NODE)]
    for topic in secret:
        hub.publish(topic)
    allowed = Heartbeat.topic(node_id=NODE)
    hub.publish(allowed)
    assert ha.topics_until(allowed) == [allowed]


def test_home_assistant_cannot_announce_alert_configure_or_speak_for_a_speaker(broker: Broker) -> None:
    hub = broker.connected(hub_user(broker))
    hub.subscribe("#")
    ha = broker.connected(HOMEASSISTANT_USER)
    forbidden = [Announcement.topic_for(Route("ops", "orders")), Announcement.topic_for(Route()),
                 Event.topic(category="order"), Alert.topic(), NodeConfig.topic(node_id=NODE),
                 NodeStatus.topic(node_id=NODE), Heartbeat.topic(node_id=NODE), Receipt.topic(node_id=NODE),
                 homeassistant.discovery_topic("button", NODE, "identify"), "shopcrier/hub/status"]
    for topic in forbidden:
        ha.publish(topic)
    allowed = Command.topic(node_id=NODE)
    ha.publish(allowed)
    assert hub.topics_until(allowed) == [allowed]


def test_a_speaker_cannot_be_enrolled_under_home_assistants_name(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    department("orders")
    with pytest.raises(CommandError, match="service account"):
        call_command("fleet", "enroll", HOMEASSISTANT_USER, "--department", "orders", "--out", str(tmp_path / "n.toml"),
                     "--broker", "mqtt://127.0.0.1:1883", "--broker-dir", str(tmp_path / "b"), "--broker-pid", "")
