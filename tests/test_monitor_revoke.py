"""``fleet revoke`` takes a speaker out of service: its open alert is closed (said as taken out
of service, not "back online"), and the LWT ``offline`` or silence that follows opens none."""

from __future__ import annotations

import pytest

from hub.fleet.enrol import enroll, revoke
from hub.monitor.alerts import raise_alert
from hub.monitor.models import Alert
from hub.monitor.nodes import check_nodes, ingest_heartbeat, ingest_status
from tests.attention_helpers import BASE, Clock, department
from tests.monitor_helpers import TECH, alerts_sent, heartbeat, spoken_on

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NODE = "spk-orders-7"


def open_alerts() -> list[str]:
    return list(Alert.objects.filter(resolved_at__isnull=True).values_list("key", flat=True))


def test_revoking_a_down_speaker_resolves_its_alert_and_opens_no_new_one() -> None:
    department("orders")
    enroll(NODE, "orders")
    clock = Clock()
    ingest_heartbeat(NODE, heartbeat(interval_s=30), clock.now)
    check_nodes(clock.advance(seconds=61), BASE)
    assert open_alerts() == [f"node:{NODE}"]

    revoke(NODE)
    check_nodes(clock.advance(seconds=1), BASE)
    assert open_alerts() == []
    assert [a.state for a in alerts_sent()] == ["opened", "resolved"]
    assert "revoked" in alerts_sent()[1].text
    assert spoken_on(TECH)[-1].text.endswith("音箱已停用")

    ingest_status(NODE, False, clock.advance(seconds=5))  # the broker's LWT for the dropped speaker
    check_nodes(clock.advance(minutes=10), BASE)
    assert open_alerts() == [] and len(alerts_sent()) == 2


def test_revoking_a_flapping_speaker_closes_its_alert_too() -> None:
    department("orders")
    enroll(NODE, "orders")
    clock = Clock()
    for _ in range(4):
        raise_alert(f"node:{NODE}", Alert.NODE, f"speaker {NODE}", "down", clock.advance(seconds=10), BASE)
        Alert.objects.filter(resolved_at__isnull=True, state=Alert.OPEN).update(resolved_at=clock.now, state=Alert.RESOLVED)
    assert Alert.objects.get(resolved_at__isnull=True).state == Alert.FLAPPING

    revoke(NODE)
    check_nodes(clock.advance(seconds=1), BASE)
    assert open_alerts() == []
