"""Home Assistant MQTT discovery through a real Mosquitto: each enrolled speaker is a device with
state, queue and volume sensors and identify and test buttons, published retained by the hub;
the buttons' presses are commands the speaker accepts; a revoked speaker's device is removed."""

from __future__ import annotations

import json
import time

import pytest

import mqtt
from hub.fleet.enrol import enroll, revoke
from hub.monitor.ha_discovery import DiscoveryPusher
from mqtt import homeassistant
from mqtt.broker import Mosquitto
from tests.attention_helpers import BASE, department
from tests.mqtt_helpers import Watcher

pytestmark = pytest.mark.django_db


def retained_configs(url: str, expected: int) -> dict[str, dict[str, object]]:
    """What a Home Assistant starting now would read: the retained discovery configs. The hub's
    publishes are asynchronous, so look again (a new subscriber each time) until ``expected``
    are there, for at most 10 s; the last look is returned either way."""
    deadline = time.monotonic() + 10
    while True:
        watcher = Watcher(url, "homeassistant/#")  # retained messages arrive before its probe returns
        try:
            found = {m.topic: json.loads(m.payload) for m in watcher.drain() if m.retain and m.payload}
        finally:
            watcher.link.stop()
        if len(found) == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_enrolled_speakers_become_devices_and_a_revoked_one_is_removed(broker: Mosquitto) -> None:
    department("orders")
    enroll("spk-orders-1", "orders")
    enroll("spk-orders-2", "orders")
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), "hub-discovery-test", clean_start=True, session_expiry=0)
    link.start()
    assert link.wait_connected(10)
    clock = [0.0]
    pusher = DiscoveryPusher(link, BASE, monotonic=lambda: clock[0])
    try:
        assert pusher.push_if_due() == 10
        configs = retained_configs(broker.url, 10)
        assert len(configs) == 10
        state = configs["homeassistant/sensor/shopcrier_spk-orders-1/state/config"]
        assert state["state_topic"] == mqtt.NodeStatus.topic(BASE, node_id="spk-orders-1")
        assert state["device"] == {"identifiers": ["shopcrier_spk-orders-1"], "name": "订单部门 spk-orders-1",
                                   "manufacturer": "ShopCrier", "model": "speaker node", "sw_version": "0.1.0"}
        queue = configs["homeassistant/sensor/shopcrier_spk-orders-1/queue/config"]
        assert queue["state_topic"] == mqtt.Heartbeat.topic(BASE, node_id="spk-orders-1")
        assert queue["value_template"] == "{{ value_json.queue_depth }}"
        assert configs["homeassistant/sensor/shopcrier_spk-orders-1/volume/config"]["unit_of_measurement"] == "%"
        for button, cmd in (("identify", "identify"), ("test", "say")):
            config = configs[f"homeassistant/button/shopcrier_spk-orders-1/{button}/config"]
            assert config["command_topic"] == mqtt.Command.topic(BASE, node_id="spk-orders-1")
            assert mqtt.Command.from_json(str(config["payload_press"])).cmd == cmd  # the speaker accepts the press

        assert pusher.push_if_due() == 0  # nothing changed, nothing sent (and not before the next check either)
        revoke("spk-orders-2")
        clock[0] += 11
        assert pusher.push_if_due() == 5
        remaining = retained_configs(broker.url, 5)
        assert sorted(remaining) == sorted(homeassistant.speaker_discovery("spk-orders-1", "x", base=BASE))
        # a restarted hub (nothing in memory) publishes the enrolled one again and clears the revoked one's again
        assert DiscoveryPusher(link, BASE).push_if_due() == 10
    finally:
        link.stop()


def test_discovery_topics_refuse_a_node_id_that_would_break_the_topic() -> None:
    with pytest.raises(mqtt.PayloadError):
        homeassistant.discovery_topic("sensor", "spk/1", "state")
