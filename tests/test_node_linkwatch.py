"""The speaker says when its broker has been unreachable too long, and when it is back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from mqtt import Heartbeat, NodeStatus
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.linkwatch import LinkWatch
from tests.conftest import AlsaSink
from tests.node_agents import NODE, make_agent, speech
from tests.node_helpers import Observer, settled_size
from tests.processes import wait_until

__all__ = ["make_agent", "speech"]  # fixtures, used by name


def test_lost_is_due_after_the_delay_then_every_repeat_and_restored_once_back() -> None:
    watch = LinkWatch(down_after=30, repeat=300, started=0)
    watch.up(1)  # connected at boot
    watch.down(100)

    assert [watch.due(t) for t in (129, 130, 131, 429, 430)] == [None, "link_lost", None, None, "link_lost"]
    watch.up(500)
    assert [watch.due(501), watch.due(502)] == ["link_restored", None]


def test_a_blip_shorter_than_the_delay_is_not_announced_either_way() -> None:
    watch = LinkWatch(down_after=30, repeat=300, started=0)
    watch.up(1)
    watch.down(100)
    watch.up(110)

    assert [watch.due(t) for t in (111, 200)] == [None, None]


def test_a_node_that_boots_without_its_broker_says_so() -> None:
    watch = LinkWatch(down_after=30, repeat=300, started=0)

    assert watch.due(30) == "link_lost"


def test_the_speaker_says_the_link_is_lost_after_n_seconds_and_that_it_is_back(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    agent = make_agent(link_down_after=2, heartbeat_interval=1)
    runner = threading.Thread(target=agent.run)
    with Observer(broker.url, NodeStatus.topic(node_id=NODE)) as observer:
        runner.start()
        assert wait_until(lambda: observer.status(NODE) == b"online", 10)
    assert settled_size(alsa_sink) == 0

    broker.kill()
    killed = time.monotonic()
    assert wait_until(lambda: alsa_sink.size() > 0, 15, 0.02), "no link-lost prompt"
    said_after = time.monotonic() - killed
    lost_prompt = settled_size(alsa_sink)

    broker.start()
    try:
        with Observer(broker.url, Heartbeat.topic(node_id=NODE)) as observer:
            assert wait_until(lambda: alsa_sink.size() > lost_prompt, 40, 0.05), "no link-restored prompt"
            assert wait_until(lambda: bool(observer.on(Heartbeat.topic(node_id=NODE))), 10)
            beat = Heartbeat.from_json(observer.on(Heartbeat.topic(node_id=NODE))[-1])
    finally:
        agent.request_stop()
        runner.join(20)

    assert 2.0 <= said_after < 6.0
    assert lost_prompt > 22050  # more than half a second of speech
    assert beat.link_down_s is not None and beat.link_down_s >= 2.0
