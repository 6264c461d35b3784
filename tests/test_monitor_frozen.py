"""A frozen speaker (connection open, nothing sent) is called down by the hub itself, from its
missing heartbeats, within keepalive × 1.5 + 2 s, without waiting for the broker's late LWT;
one lost heartbeat, or a heartbeat a little late, is no outage.

Time is a :class:`Clock` handed to each step; nothing sleeps. The benchmark with a real
SIGSTOPped speaker is tests/test_monitor_silent.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import mqtt
from hub.monitor.models import NodeHealth
from hub.monitor.nodes import Grace
from hub.monitor.worker import Monitor
from hub.org.models import SpeakerNode
from mqtt.liveness import CHECK_EVERY_S, SLACK_S, heartbeat_period, silence_bound
from tests.attention_helpers import BASE, Clock, department
from tests.monitor_helpers import alerts_sent, heartbeat

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NODE = "spk-orders-1"
KEEPALIVE = 5


def status() -> str:
    return NodeHealth.objects.get(node_id=NODE).status


def a_monitor(clock: Clock) -> Monitor:
    department("orders")
    SpeakerNode.objects.create(node_id=NODE, department=department("orders"))
    link = mqtt.Link(mqtt.BrokerSettings(host="127.0.0.1", port=1), "shopcrier-hub-monitor-test")  # never started
    return Monitor(link, BASE, clock=clock)


def hear(monitor: Monitor, clock: Clock, period: int) -> None:
    """A heartbeat of ``period`` arrives now (the monitor writes it at its next tick)."""
    event = mqtt.Received(mqtt.Heartbeat.topic(BASE, node_id=NODE), heartbeat(interval_s=period).to_json(), False, 0, 0)
    monitor.handle(event, clock.now)


def tick(monitor: Monitor, clock: Clock, seconds: float) -> None:
    monitor.flush(clock.advance(seconds=seconds))
    monitor.check(clock.now)


@pytest.mark.parametrize("keepalive", [5, 6, 10, 15, 30, 60, 120, 600, 3600])
@pytest.mark.parametrize("configured", [5, 30, 60, 3600])
def test_speaker_and_hub_agree_on_a_period_that_meets_the_bound(keepalive: int, configured: int) -> None:
    period = heartbeat_period(configured, keepalive)
    assert 1 <= period <= configured
    # worst case: the speaker froze the moment its heartbeat left; the monitor calls it down one
    # period and grace after it heard it, at its next tick; then the alert goes out
    worst = period + Grace().of(period).total_seconds() + CHECK_EVERY_S + (SLACK_S - CHECK_EVERY_S - Grace().jitter_s)
    assert worst <= silence_bound(keepalive), (period, worst)


def test_a_speaker_frozen_just_after_a_heartbeat_is_down_within_keepalive_x_1_5_plus_2_s() -> None:
    clock = Clock()
    monitor = a_monitor(clock)
    period = heartbeat_period(30, KEEPALIVE)
    assert period == 3
    hear(monitor, clock, period)
    tick(monitor, clock, 0.99)  # written almost a tick later: the deadline still runs from when it was heard
    frozen = clock.now - timedelta(seconds=0.99)
    assert status() == "up"

    while status() != "down":
        assert clock.now - frozen < timedelta(seconds=silence_bound(KEEPALIVE)), "not called down in time"
        tick(monitor, clock, CHECK_EVERY_S)
    detected = (clock.now - frozen).total_seconds()
    # two periods, the jitter allowed and at most one tick after the heartbeat was *heard*
    assert detected <= 2 * period + Grace().jitter_s + CHECK_EVERY_S
    assert detected <= silence_bound(KEEPALIVE) - (SLACK_S - CHECK_EVERY_S - Grace().jitter_s)
    assert detected > 2 * period  # and not before two periods of silence
    [opened] = alerts_sent()
    assert opened.state == "opened" and "stopped sending heartbeats" in opened.text


def test_one_lost_heartbeat_and_a_late_one_are_no_outage() -> None:
    clock = Clock()
    monitor = a_monitor(clock)
    period = heartbeat_period(30, KEEPALIVE)
    hear(monitor, clock, period)
    heard = clock.now
    arrives = heard + timedelta(seconds=2 * period + 0.4)  # the next one is lost; the one after is 0.4 s late
    while clock.now + timedelta(seconds=CHECK_EVERY_S) < arrives:
        tick(monitor, clock, CHECK_EVERY_S)
    tick(monitor, clock, (arrives - clock.now).total_seconds())
    assert status() == "late"  # shown as late, not announced as an outage
    hear(monitor, clock, period)
    tick(monitor, clock, 0.05)
    assert status() == "up"
    assert alerts_sent() == []

