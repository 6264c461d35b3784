"""Speaker outages: late after the period, down after period + grace or at once on ``offline``;
each outage announced once to the technical department and on ``alerts``, flapping once.

Time is a :class:`Clock` handed to each step; nothing sleeps.
"""

from __future__ import annotations

import pytest

from hub.monitor.alerts import FLAP_WINDOW, settle_flapping
from hub.monitor.models import Alert, AlertRecipient, NodeHealth
from hub.monitor.nodes import check_nodes, ingest_heartbeat, ingest_status
from tests.attention_helpers import BASE, Clock, staff
from tests.monitor_helpers import TECH, alerts_sent, heartbeat, spoken_on

pytestmark = pytest.mark.django_db

NODE = "spk-orders-1"


def status() -> str:
    return NodeHealth.objects.get(node_id=NODE).status


@pytest.mark.clock
def test_a_silent_node_is_late_after_its_period_and_down_after_the_grace() -> None:
    clock = Clock()
    ingest_heartbeat(NODE, heartbeat(interval_s=30), clock.now)
    check_nodes(clock.now, BASE)
    assert status() == "up"

    check_nodes(clock.advance(seconds=30.5), BASE)
    assert status() == "up"  # on time give or take a heartbeat's travel
    check_nodes(clock.advance(seconds=3), BASE)
    assert status() == "late"
    assert alerts_sent() == []  # late is a state to show, not an outage

    check_nodes(clock.advance(seconds=27.5), BASE)  # 61 s: past period (30) + grace (30)
    assert status() == "down"
    [opened] = alerts_sent()
    assert opened.state == "opened" and opened.subject == f"speaker {NODE}"
    assert "stopped sending heartbeats" in opened.text
    [spoken] = spoken_on(TECH)
    assert spoken.category == "system" and NODE in opened.text  # the full text goes to `alerts` and screens
    assert (spoken.text, spoken.lang) == ("一台未登记的音箱离线", "zh")  # speakers hear a few words (hub/monitor/spoken.py)


@pytest.mark.clock
def test_an_offline_status_is_down_at_once_and_coming_back_resolves_it() -> None:
    clock = Clock()
    ingest_heartbeat(NODE, heartbeat(), clock.now)
    check_nodes(clock.now, BASE)

    ingest_status(NODE, False, clock.advance(seconds=2))
    check_nodes(clock.now, BASE)
    assert status() == "down"
    assert "offline" in alerts_sent()[0].text

    ingest_status(NODE, True, clock.advance(seconds=20))
    check_nodes(clock.now, BASE)
    assert status() == "up"
    assert [a.state for a in alerts_sent()] == ["opened", "resolved"]
    assert [a.text for a in spoken_on(TECH)][1] == "一台未登记的音箱已恢复"
    assert alerts_sent()[1].text == f"Speaker {NODE} is back online"
    assert Alert.objects.get().resolved_at == clock.now


@pytest.mark.clock
def test_the_same_outage_is_announced_once_however_often_it_is_checked() -> None:
    clock = Clock()
    ingest_status(NODE, False, clock.now)
    for _ in range(5):
        check_nodes(clock.advance(seconds=1), BASE)
        ingest_status(NODE, False, clock.now)  # a retained offline read again by another monitor
    assert len(alerts_sent()) == 1


@pytest.mark.clock
def test_a_flapping_node_is_reported_once_as_flapping_then_once_stable() -> None:
    clock = Clock()
    for _ in range(20):  # down and up every 30 s for ten minutes
        ingest_status(NODE, False, clock.advance(seconds=15))
        check_nodes(clock.now, BASE)
        ingest_status(NODE, True, clock.advance(seconds=15))
        check_nodes(clock.now, BASE)

    states = [a.state for a in alerts_sent()]
    assert states == ["opened", "resolved"] * 3 + ["opened"]
    flapping = Alert.objects.get(resolved_at__isnull=True)
    assert flapping.state == "flapping" and "flapping" in alerts_sent()[-1].text
    assert flapping.flaps > 20

    settle_flapping(clock.advance(seconds=FLAP_WINDOW.total_seconds() - 60), BASE)
    assert len(alerts_sent()) == 7  # not stable long enough yet
    settle_flapping(clock.advance(seconds=61), BASE)
    assert [a.state for a in alerts_sent()][-1] == "resolved"
    assert "stable again" in alerts_sent()[-1].text


@pytest.mark.clock
def test_alert_recipients_hear_it_on_their_own_topic_too() -> None:
    person = staff("042", dept="tech")
    AlertRecipient.objects.create(staff=person)
    ingest_status(NODE, False, Clock().now)
    check_nodes(Clock().now, BASE)

    [personal] = spoken_on(f"{TECH}/042")
    [department] = spoken_on(TECH)
    assert personal.id == department.id  # one announcement: a speaker following both says it once
