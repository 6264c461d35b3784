"""A speaker saying a long sentence (its loop busy, sometimes for many seconds) still
heartbeats on time: a thread repeats its last heartbeat once the next is late, so the hub's
short silence deadline (tests/test_monitor_frozen.py) raises no false alert; a loop stuck far
longer than any sentence is let go silent."""

from __future__ import annotations

from collections.abc import Callable

import mqtt
from mqtt.broker import Mosquitto
from mqtt.liveness import heartbeat_period
from node.agent import BUSY_BEAT_LATE_S, BUSY_BEAT_MAX_S, Agent
from tests.node_agents import NODE as SPEAKER
from tests.node_agents import connect, make_agent, speech  # noqa: F401  (the fixtures)
from tests.node_helpers import Observer
from tests.processes import wait_until

KEEPALIVE = 5


def test_a_speaker_busy_saying_a_long_sentence_still_heartbeats_on_time(
    make_agent: Callable[..., Agent], broker: Mosquitto  # noqa: F811
) -> None:
    agent = make_agent(broker=mqtt.BrokerSettings.from_url(f"{broker.url}?keepalive={KEEPALIVE}"), heartbeat_interval=30)
    assert agent.heartbeat_period == heartbeat_period(30, KEEPALIVE) == 3  # shortened for the short keepalive
    connect(agent)
    topic = mqtt.Heartbeat.topic(node_id=SPEAKER)
    with Observer(broker.url, topic) as observer:
        agent._next_heartbeat = 0.0  # due: the loop's next turn sends one
        agent.step()
        assert wait_until(lambda: len(observer.on(topic)) == 1, 10, 0.02)
        first = mqtt.Heartbeat.from_json(observer.on(topic)[0])
        assert first.interval_s == 3
        assert not agent._beat_if_late()  # the loop is on time: the busy beat stays quiet
        # the loop is saying a long sentence and the next heartbeat is overdue
        agent._next_heartbeat = agent.monotonic() - BUSY_BEAT_LATE_S - 0.01
        assert agent._beat_if_late()
        assert wait_until(lambda: len(observer.on(topic)) == 2, 10, 0.02)
        again = mqtt.Heartbeat.from_json(observer.on(topic)[1])
        assert again.interval_s == 3 and again.uptime_s >= first.uptime_s
        assert not agent._beat_if_late()  # once per period, not every check
        # a loop stuck far longer than any sentence (a hung audio device) is let go silent
        agent._loop_beat_at -= BUSY_BEAT_MAX_S + 1
        agent._next_heartbeat = agent.monotonic() - BUSY_BEAT_LATE_S - 0.01
        assert not agent._beat_if_late()
