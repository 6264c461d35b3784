"""A node never raises in its loop over an announcement whose time overflows UTC: it drops it and plays on.

The agent runs its real loop (real Mosquitto, store, speech and ALSA sink).
Before, such an announcement passed validation and raised when the node
formatted its time in UTC, inside the loop, every time the broker sent it again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import pytest

from mqtt import NodeStatus, Receipt
from mqtt.broker import Mosquitto
from node.agent import Agent
from tests.node_agents import NODE, make_agent, speech
from tests.node_helpers import Observer, announcement
from tests.processes import wait_until

__all__ = ["make_agent", "speech"]  # fixtures, used by name


def overflowing(announcement_id: str, field: str, value: str) -> bytes:
    payload = json.loads(announcement(announcement_id).to_json())
    payload[field] = value
    return json.dumps(payload).encode()


def test_an_announcement_whose_time_overflows_utc_is_dropped_and_the_next_one_plays(
    make_agent: Callable[..., Agent], broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    agent = make_agent()
    runner = threading.Thread(target=agent.run)
    with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as observer:
        runner.start()
        try:
            assert wait_until(lambda: observer.status(NODE) == b"online", 10)
            topic = announcement("x").topic()
            observer.publish(topic, overflowing("late-1", "expires_at", "9999-12-31T23:59:59-14:00"))
            observer.publish(topic, overflowing("early-1", "created_at", "0001-01-01T00:00:00+14:00"))
            observer.announce(announcement("after-1"))
            assert observer.wait_receipt(NODE, "after-1").status == "played"
        finally:
            agent.request_stop()
            runner.join(10)
    assert not runner.is_alive()
    dropped = [r.getMessage() for r in caplog.records if "dropped an invalid announcement" in r.getMessage()]
    assert len(dropped) == 2
    assert "announcement.expires_at: '9999-12-31T23:59:59-14:00' falls outside the years 1..9999 in UTC" in dropped[0]
    assert "announcement.created_at" in dropped[1]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert agent.store.status("late-1") is None and agent.store.status("early-1") is None
