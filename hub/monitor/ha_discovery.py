"""Home Assistant discovery for the fleet: each enrolled speaker's retained configs
(:mod:`mqtt.homeassistant`), kept equal to the registry by the monitor.

Like :class:`hub.fleet.node_config.ConfigPusher`: everything is published again
on each (re)connect, changes within ``CHECK_EVERY_S``; a revoked or disabled
speaker's configs are cleared (an empty retained payload) so Home Assistant
drops the device.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from hub.org.models import SpeakerNode
from hub.sounds.language import hub_language
from mqtt import homeassistant
from mqtt.client import Link
from node.version import version_line

log = logging.getLogger(__name__)

CHECK_EVERY_S = 10.0


def wanted_configs(base: str, prefix: str = homeassistant.DISCOVERY_PREFIX) -> dict[str, bytes]:
    """Every enabled speaker's discovery configs, by topic."""
    lang = hub_language()
    version = version_line("").split()[0]
    configs: dict[str, bytes] = {}
    for node in SpeakerNode.objects.filter(enabled=True).select_related("department"):
        name = f"{node.department.name} {node.node_id}"
        configs.update(homeassistant.speaker_discovery(node.node_id, name, base=base, lang=lang, version=version,
                                                       prefix=prefix))
    return configs


def retired_topics(prefix: str = homeassistant.DISCOVERY_PREFIX) -> set[str]:
    """Discovery topics of speakers that are registered but disabled (revoked)."""
    return {
        homeassistant.discovery_topic(component, node_id, object_id, prefix)
        for node_id in SpeakerNode.objects.filter(enabled=False).values_list("node_id", flat=True)
        for component, object_id in homeassistant.ENTITIES
    }


class DiscoveryPusher:
    def __init__(self, link: Link, base: str, *, prefix: str = homeassistant.DISCOVERY_PREFIX,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.link = link
        self.base = base
        self.prefix = prefix
        self.monotonic = monotonic
        self._sent: dict[str, bytes] = {}
        self._cleared: set[str] = set()
        self._next_check = 0.0

    def connected(self) -> None:
        """After a (re)connect, publish everything again, and clear revoked speakers' configs once more."""
        self._sent.clear()
        self._cleared.clear()
        self._next_check = 0.0

    def push_if_due(self) -> int:
        """Publish what changed since last sent and clear what went; returns how many publishes."""
        if self.monotonic() < self._next_check:
            return 0
        self._next_check = self.monotonic() + CHECK_EVERY_S
        wanted = wanted_configs(self.base, self.prefix)
        pushed = 0
        for topic, payload in wanted.items():
            if self._sent.get(topic) != payload:
                self.link.publish(topic, payload, qos=1, retain=True)
                self._sent[topic] = payload
                pushed += 1
        gone = (set(self._sent) - set(wanted)) | (retired_topics(self.prefix) - self._cleared - set(wanted))
        for topic in gone:
            self.link.publish(topic, b"", qos=1, retain=True)  # empty retained: Home Assistant removes the entity
            self._sent.pop(topic, None)
            self._cleared.add(topic)
            pushed += 1
        if pushed:
            log.info("Home Assistant discovery: %d config(s) published or cleared", pushed)
        return pushed
