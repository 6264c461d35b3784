"""Home Assistant MQTT discovery for speakers: the topics and retained payloads, built here only.

Each enrolled speaker is a Home Assistant device (``shopcrier_<node id>``)
with three sensors and two buttons, all reading or writing the contract's
own topics (nothing extra is published by speakers):

- ``state``: the retained ``node/<id>/status`` (online/offline);
- ``queue``: ``queue_depth`` of ``node/<id>/heartbeat``;
- ``volume``: ``volume`` of the heartbeat (%);
- ``identify``: presses publish a :class:`~mqtt.messages.Command` ``identify`` on ``node/<id>/cmd``;
- ``test``: presses publish a ``say`` command with a short test sentence.

Discovery configs go to ``<prefix>/<component>/shopcrier_<node id>/<object>/config``
(prefix ``homeassistant`` by default), retained; an empty retained payload removes one.
"""

from __future__ import annotations

import json
from typing import Any

from .messages import Command, Heartbeat, NodeStatus
from .topics import DEFAULT_BASE, check_segment

DISCOVERY_PREFIX = "homeassistant"
TEST_SENTENCE = {"zh": "这是一条测试提醒。", "en": "This is a test announcement."}
# (component, object id, what it shows or does)
ENTITIES = (("sensor", "state"), ("sensor", "queue"), ("sensor", "volume"), ("button", "identify"), ("button", "test"))


def device_id(node_id: str) -> str:
    return f"shopcrier_{check_segment('node_id', node_id)}"


def discovery_topic(component: str, node_id: str, object_id: str, prefix: str = DISCOVERY_PREFIX) -> str:
    return f"{check_segment('prefix', prefix)}/{component}/{device_id(node_id)}/{object_id}/config"


def speaker_discovery(
    node_id: str, name: str, *, base: str = DEFAULT_BASE, lang: str = "zh", version: str = "", prefix: str = DISCOVERY_PREFIX
) -> dict[str, bytes]:
    """Every discovery config for one speaker, by topic. ``name``: how the shop calls it."""
    status = NodeStatus.topic(base, node_id=node_id)
    heartbeat = Heartbeat.topic(base, node_id=node_id)
    command = Command.topic(base, node_id=node_id)
    device = {"identifiers": [device_id(node_id)], "name": name, "manufacturer": "ShopCrier",
              "model": "speaker node", **({"sw_version": version} if version else {})}
    available = {"availability_topic": status, "payload_available": "online", "payload_not_available": "offline"}
    say = Command(id=f"ha-test-{node_id}", cmd="say",
                  args={"text": TEST_SENTENCE.get(lang, TEST_SENTENCE["en"]), "lang": lang if lang in TEST_SENTENCE else "en"})
    configs: dict[tuple[str, str], dict[str, Any]] = {
        ("sensor", "state"): {"name": "State", "state_topic": status, "icon": "mdi:speaker"},
        ("sensor", "queue"): {"name": "Queue", "state_topic": heartbeat, "value_template": "{{ value_json.queue_depth }}",
                              "unit_of_measurement": "announcements", "state_class": "measurement", **available},
        ("sensor", "volume"): {"name": "Volume", "state_topic": heartbeat, "value_template": "{{ value_json.volume }}",
                               "unit_of_measurement": "%", "state_class": "measurement", **available},
        ("button", "identify"): {"name": "Identify", "command_topic": command, "icon": "mdi:bell-ring",
                                 "payload_press": Command(id=f"ha-identify-{node_id}", cmd="identify").to_json().decode(),
                                 **available},
        ("button", "test"): {"name": "Test announcement", "command_topic": command, "icon": "mdi:bullhorn",
                             "payload_press": say.to_json().decode(), **available},
    }
    return {
        discovery_topic(component, node_id, object_id, prefix): json.dumps(
            {"unique_id": f"{device_id(node_id)}_{object_id}", "object_id": f"{device_id(node_id)}_{object_id}",
             "device": device, "qos": 1, **config}, ensure_ascii=False, separators=(",", ":")).encode()
        for (component, object_id), config in configs.items()
    }


def discovery_filter(prefix: str = DISCOVERY_PREFIX) -> str:
    """Every ShopCrier discovery config (to find stale ones)."""
    return f"{check_segment('prefix', prefix)}/+/+/+/config"
