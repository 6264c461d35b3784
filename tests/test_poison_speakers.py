"""Receipts and heartbeats the hub cannot store are dropped and acknowledged; unknown speakers leave no trace.

On SQLite and PostgreSQL, against a real Mosquitto and the hub's real
``publish`` and ``monitor`` commands. The attack: one speaker, publishing only
on its own topics, sends more unstorable receipts than the broker keeps in
flight (a NUL in ``detail``, which PostgreSQL refuses; an ``at`` that overflows
UTC, which neither database can take). Unacknowledged, they stopped the hub
recording any receipt from any speaker, for good. A NUL in one heartbeat
failed the monitor's batched write for every speaker. Node ids nobody enrolled
created rows and alerts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import mqtt
from mqtt.broker import Mosquitto
from tests.monitor_helpers import heartbeat
from tests.node_helpers import Observer
from tests.platform_servers import GenericServer
from tests.poison_helpers import DATABASES, HubDb, hub_database
from tests.processes import wait_until

pytestmark = pytest.mark.e2e

IN_FLIGHT = 100  # the generated broker config's max_inflight_messages
OVERFLOW_AT = '{"v":1,"id":"bad-at-%d","status":"played","at":"0001-01-01T00:00:00+14:00","detail":null}'


@pytest.fixture(params=DATABASES)
def hub(request: pytest.FixtureRequest, tmp_path: Path, broker: Mosquitto) -> Iterator[HubDb]:
    with hub_database(request.param, tmp_path, broker.url) as found:
        found.enrol("spk-a", "spk-b")
        yield found


def receipts(hub: HubDb) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in hub.rows("SELECT node_id, status, announcement_id FROM outbox_receipt ORDER BY node_id")]


def test_unstorable_receipts_are_dropped_and_acknowledged_and_every_speakers_receipts_keep_flowing(
    hub: HubDb, broker: Mosquitto
) -> None:
    with GenericServer() as platform:
        platform.add(1, content="Customer 1 placed order #1001")
        hub.manage("source", "shop", "--url", f"{platform.base}/api/messages", "--interval", "1h")
        hub.manage("poll", "--once")
    announcement = hub.value("SELECT announcement_id FROM outbox_delivery WHERE announcement_id <> '' ORDER BY id")
    assert announcement
    publisher = hub.start("publish", "publish")
    try:
        # sent means the publisher is connected with its receipt subscription in place
        assert wait_until(lambda: hub.value("SELECT count(*) FROM outbox_delivery WHERE status = 'sent'") == 2, 30), \
            publisher.log()[-3000:]
        with Observer(broker.url) as speaker:
            spk_a = mqtt.Receipt.topic(node_id="spk-a")
            for n in range(IN_FLIGHT + 20):
                speaker.publish(spk_a, mqtt.Receipt(id=f"bad-nul-{n}", status="failed", detail=f"no\x00{n}").to_json())
                speaker.publish(spk_a, (OVERFLOW_AT % n).encode())
            good = mqtt.Receipt(id=announcement, status="played").to_json()
            speaker.publish(mqtt.Receipt.topic(node_id="spk-x"), good)  # nobody enrolled spk-x
            speaker.publish(spk_a, good)
            speaker.publish(mqtt.Receipt.topic(node_id="spk-b"), good)
        # spk-b's receipt came last: once it is stored, everything before it was acknowledged
        assert wait_until(lambda: ("spk-b", "played", announcement) in receipts(hub), 60), publisher.log()[-3000:]
        assert receipts(hub) == [("spk-a", "played", announcement), ("spk-b", "played", announcement)]
    finally:
        publisher.terminate()
    log = publisher.log()
    assert "dropped receipt bad-nul-0 from spk-a: detail holds a NUL character at position 2" in log
    assert "receipt.at: '0001-01-01T00:00:00+14:00' falls outside the years 1..9999 in UTC" in log
    assert log.count("refused a receipt from node spk-x") == 1
    assert "Traceback" not in log


def node_rows(hub: HubDb) -> dict[str, bool]:
    """node id → whether a heartbeat was written for it."""
    return {r[0]: r[1] is not None for r in hub.rows("SELECT node_id, last_heartbeat_at FROM monitor_nodehealth")}


def test_a_heartbeat_the_row_cannot_hold_never_fails_the_others_and_unknown_nodes_leave_no_trace(
    hub: HubDb, broker: Mosquitto
) -> None:
    monitor = hub.start("monitor", "monitor")
    try:
        assert wait_until(lambda: hub.value("SELECT count(*) FROM monitor_linkstate WHERE up") == 1, 30), monitor.log()[-3000:]
        with Observer(broker.url) as speakers:
            speakers.publish(mqtt.NodeStatus.topic(node_id="spk-y"), b"offline", retain=True)  # nobody enrolled spk-y

            def beat_until_spk_b_is_written() -> bool:
                speakers.publish(mqtt.Heartbeat.topic(node_id="spk-a"), dataclasses.replace(heartbeat(), version="1.0\x00").to_json(), qos=0)
                speakers.publish(mqtt.Heartbeat.topic(node_id="spk-x"), heartbeat().to_json(), qos=0)
                speakers.publish(mqtt.Heartbeat.topic(node_id="spk-b"), heartbeat().to_json(), qos=0)
                return node_rows(hub).get("spk-b", False)

            assert wait_until(beat_until_spk_b_is_written, 30, 0.5), monitor.log()[-3000:]
            assert node_rows(hub) == {"spk-b": True}

            def beat_until_spk_a_is_written() -> bool:
                speakers.publish(mqtt.Heartbeat.topic(node_id="spk-a"), heartbeat().to_json(), qos=0)
                return node_rows(hub).get("spk-a", False)

            # the poisoned speaker's next good heartbeat is written like any other
            assert wait_until(beat_until_spk_a_is_written, 30, 0.5), monitor.log()[-3000:]
        assert node_rows(hub) == {"spk-a": True, "spk-b": True}
        assert hub.rows("SELECT key FROM monitor_alert") == []
    finally:
        monitor.terminate()
    log = monitor.log()
    assert "dropped heartbeat from spk-a: telemetry.version holds a NUL character at position 3" in log
    assert log.count("refused a heartbeat from node spk-x") == 1
    assert log.count("refused a status from node spk-y") == 1
    assert "Traceback" not in log


BATCH = """
import dataclasses
from django.utils import timezone
from hub.monitor.nodes import ingest_heartbeats
from tests.monitor_helpers import heartbeat
ingest_heartbeats({"spk-a": dataclasses.replace(heartbeat(), version="1.0\\x00"), "spk-b": heartbeat()}, timezone.now())
"""


def test_the_batched_heartbeat_write_falls_back_to_one_by_one_when_postgresql_refuses_a_value(tmp_path: Path) -> None:
    # Past the worker's own check (called directly here), the write itself keeps one refusal from costing the rest.
    with hub_database("postgres", tmp_path) as hub:
        hub.shell(BATCH)
        assert node_rows(hub) == {"spk-b": True}
