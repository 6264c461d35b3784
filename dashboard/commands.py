"""Sending a speaker command from a web process: one shared MQTT link, publish at QoS 1.

The reply (``node/{id}/reply``, echoing the command id) comes back through
dashboard.bridge to the pages of those who may command that speaker.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

from django.conf import settings

import mqtt

_lock = threading.Lock()
_link: mqtt.Link | None = None


class CommandError(Exception):
    """The command could not be handed to the broker (the message says why, for a person)."""


def _shared_link() -> mqtt.Link:
    global _link
    with _lock:
        if _link is None:
            _link = mqtt.Link(settings.MQTT_BROKER, f"shopcrier-web-cmd-{os.getpid()}", clean_start=True, session_expiry=0)
            _link.start()
        return _link


def parse_args(cmd: str, form: dict[str, str]) -> dict[str, Any]:
    """Arguments for ``cmd`` from a form, validated by the contract (raises mqtt.PayloadError)."""
    raw: dict[str, Any] = {}
    if cmd == "say":
        raw = {"text": form.get("text", ""), "lang": form.get("lang", "zh") or "zh"}
    elif cmd == "volume":
        level = form.get("level", "")
        raw = {"level": int(level) if level.isdigit() else level}
    elif cmd == "replay":
        count = form.get("count", "1")
        raw = {"count": int(count) if count.isdigit() else count}
    # the contract's own reader validates (one rule for hub, node and dashboard)
    command = mqtt.Command.from_json(mqtt.Command(id="check", cmd=cmd, args=raw).to_json())
    return command.args


def send(node_id: str, cmd: str, args: dict[str, Any], timeout: float = 5.0) -> str:
    """Publish the command; returns its id once the broker has it."""
    command = mqtt.Command(id=uuid.uuid4().hex, cmd=cmd, args=args)
    link = _shared_link()
    if not link.wait_connected(timeout):
        raise CommandError("the broker is not reachable")
    info = link.publish(command.topic(settings.MQTT_BASE_TOPIC, node_id=node_id), command.to_json(), qos=1)
    if not mqtt.wait_all([info], timeout):
        raise CommandError("the broker did not take the command")
    return command.id


def reset_link() -> None:
    """Drop the shared link (tests point the broker setting elsewhere between tests)."""
    global _link
    with _lock:
        if _link is not None:
            _link.stop()
        _link = None
