"""A speaker whose audio device fails keeps beating ("online") but says nothing: its heartbeat's
``audio_error`` opens an alert of its own, said as "cannot play sound" (not "offline"), and a
heartbeat without it resolves it."""

from __future__ import annotations

import dataclasses

import pytest

from hub.monitor.models import NodeHealth
from hub.monitor.nodes import check_mute, check_nodes, ingest_heartbeat
from tests.attention_helpers import BASE, Clock
from tests.hub_helpers import enrolled
from tests.monitor_helpers import TECH, alerts_sent, heartbeat, spoken_on

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NODE = "spk-orders-1"
DEVICE_GONE = "Error opening OutputStream: Device unavailable [PaErrorCode -9985]"


def check(clock: Clock) -> None:
    check_nodes(clock.now, BASE)
    check_mute(clock.now, BASE)


def test_an_online_speaker_with_a_failing_audio_device_is_its_own_alert_until_it_plays_again() -> None:
    enrolled(NODE)
    clock = Clock()
    ingest_heartbeat(NODE, dataclasses.replace(heartbeat(), audio_error=DEVICE_GONE), clock.now)
    check(clock)
    assert NodeHealth.objects.get(node_id=NODE).status == "up"  # it is online…
    [opened] = alerts_sent()  # …but mute
    assert opened.subject == f"speaker {NODE} (mute)"
    assert opened.text == f'Speaker {NODE} is online but cannot play sound: its audio device reports "{DEVICE_GONE}"'
    assert spoken_on(TECH)[0].text == "订单部门音箱无法发声"

    ingest_heartbeat(NODE, dataclasses.replace(heartbeat(), audio_error=DEVICE_GONE), clock.advance(seconds=30))
    check(clock)
    assert len(alerts_sent()) == 1  # the same failure is announced once

    ingest_heartbeat(NODE, heartbeat(), clock.advance(seconds=30))
    check(clock)
    assert [a.state for a in alerts_sent()] == ["opened", "resolved"]
    assert alerts_sent()[1].text == f"Speaker {NODE} plays sound again"
    assert spoken_on(TECH)[1].text == "订单部门音箱恢复发声"


def test_a_speaker_that_goes_down_while_mute_keeps_its_mute_alert_and_gets_the_outage_one() -> None:
    enrolled(NODE)
    clock = Clock()
    ingest_heartbeat(NODE, dataclasses.replace(heartbeat(), audio_error=DEVICE_GONE), clock.now)
    check(clock)
    check(Clock(clock.advance(seconds=61)))
    assert [(a.subject, a.state) for a in alerts_sent()] == [
        (f"speaker {NODE} (mute)", "opened"), (f"speaker {NODE}", "opened")]
