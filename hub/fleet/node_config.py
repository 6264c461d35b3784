"""The retained ``node/{id}/config`` each speaker follows, built from the registry.

A speaker needs only its identity and the broker; the hub tells it the rest:
the routes it follows (the same :func:`~hub.fleet.access.speaker_routes` the
broker ACL is generated from, so the two never disagree), what those routes'
departments are called (so it can say them) and its department's quiet hours.
:class:`ConfigPusher` publishes them retained on every (re)connect and whenever
the registry changes one (a renamed department too); a node that was removed or
disabled gets its retained config cleared.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace

import mqtt
from hub.attention.models import QuietHours
from hub.org.shifts import parse_weekdays
from hub.org.models import Department, SpeakerNode
from hub.sounds.language import hub_language
from mqtt.client import Link

from .access import speaker_routes

log = logging.getLogger(__name__)

CHECK_EVERY_S = 10.0


def node_config(node: SpeakerNode, language: str | None = None) -> mqtt.NodeConfig:
    """``language``: the hub's (hub.sounds.language), for the speaker's own prompts; read when not given."""
    quiet = [
        mqtt.QuietHours(
            start=f"{q.start:%H:%M}",
            end=f"{q.end:%H:%M}",
            days=tuple(sorted(parse_weekdays(q.weekdays))),
            tz=q.zone().key,
        )
        for q in QuietHours.objects.filter(department=node.department_id).order_by("id")
    ]
    routes = speaker_routes(node)
    limits = (("routes", len(routes), mqtt.messages.MAX_ROUTES), ("quiet hours", len(quiet), mqtt.messages.MAX_QUIET_HOURS))
    for what, count, most in limits:
        if count > most:  # a longer config would be refused whole by the speaker
            log.error("speaker %s has %d %s; only the first %d are sent (the contract's limit)", node.node_id, count, what, most)
    config = mqtt.NodeConfig(routes=tuple(routes[: mqtt.messages.MAX_ROUTES]), volume=node.volume,
                             quiet_hours=tuple(quiet[: mqtt.messages.MAX_QUIET_HOURS]),
                             language=language or hub_language())
    return with_department_names(config, department_names(config.routes), node.node_id)


def department_names(routes: tuple[mqtt.Route, ...]) -> dict[str, mqtt.DepartmentName]:
    """What each department the routes name is called, in route order (the speaker's own first)."""
    slugs = list(dict.fromkeys(route.department for route in routes if route.department is not None))
    names = dict(Department.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return {slug: mqtt.DepartmentName(names[slug]) for slug in slugs if slug in names}


def with_department_names(
    config: mqtt.NodeConfig, names: dict[str, mqtt.DepartmentName], node_id: str
) -> mqtt.NodeConfig:
    """``config`` with the names that fit in a payload, in order; the speaker says a left-out one's slug.

    A config at the contract's limits (250 routes of the longest slugs) leaves
    only a few KiB, and a refused payload would cost the speaker its routes too.
    """
    room = mqtt.fields.MAX_PAYLOAD_BYTES - len(replace(config, department_names={}).to_json())
    kept: dict[str, mqtt.DepartmentName] = {}
    for slug, name in names.items():
        # '"slug":{...}' exactly as encode() writes it, and the comma before every entry but the first
        entry = json.dumps({slug: name.to_dict()}, ensure_ascii=False, separators=(",", ":")).encode()
        cost = len(entry) - 2 + (1 if kept else 0)
        if cost <= room:
            kept[slug] = name
            room -= cost
    if len(kept) < len(names):
        log.warning("speaker %s: %d department name(s) left out of its config to keep it under %d bytes; "
                    "it says their slugs", node_id, len(names) - len(kept), mqtt.fields.MAX_PAYLOAD_BYTES)
    return replace(config, department_names=kept)


def current_configs() -> dict[str, bytes]:
    """Every enabled speaker's config payload, by node id."""
    nodes = SpeakerNode.objects.filter(enabled=True).select_related("department__subsystem")
    language = hub_language()
    return {node.node_id: node_config(node, language).to_json() for node in nodes}


class ConfigPusher:
    """Keeps each speaker's retained config equal to the registry."""

    def __init__(self, link: Link, base: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.link = link
        self.base = base
        self.monotonic = monotonic
        self._sent: dict[str, bytes] = {}
        self._next_check = 0.0

    def connected(self) -> None:
        """After a (re)connect, send them all again (retained state is re-published, never assumed)."""
        self._sent.clear()
        self._next_check = 0.0

    def push_if_due(self) -> int:
        """Publish the configs that changed since last sent; clear removed ones. Returns how many went out."""
        if self.monotonic() < self._next_check:
            return 0
        self._next_check = self.monotonic() + CHECK_EVERY_S
        wanted = current_configs()
        pushed = 0
        for node_id, payload in wanted.items():
            if self._sent.get(node_id) != payload:
                self.link.publish(mqtt.NodeConfig.topic(self.base, node_id=node_id), payload, qos=1, retain=True)
                self._sent[node_id] = payload
                pushed += 1
        for node_id in set(self._sent) - set(wanted):
            # an empty retained message deletes the retained config at the broker
            self.link.publish(mqtt.NodeConfig.topic(self.base, node_id=node_id), b"", qos=1, retain=True)
            del self._sent[node_id]
            pushed += 1
        if pushed:
            log.info("pushed %d speaker config(s)", pushed)
        return pushed
