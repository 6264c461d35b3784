"""End-to-end acknowledgement against a broker that loses what it held (issue 16, findings 1-2).

Mosquitto acknowledges a QoS 1 publish before it is on disk; the broker
here never autosaves, so a SIGKILL loses every queued message and session.
A delivery is done only when the speaker's receipt is stored by the hub,
so whatever the broker forgot is sent again, and said once.
Real parts: ``shopcrier-hub publish``, ``shopcrier-node`` (espeak-ng into an
ALSA file sink), Mosquitto, the hub on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import mqtt
from mqtt.broker import Mosquitto
from tests.ack_helpers import (
    announce, count, count_pair, database_url, enrol, forgetful_broker, pg_database, prepared_hub, sql_one,
)
from tests.conftest import AlsaSink
from tests.mqtt_helpers import Watcher
from tests.node_helpers import query_node_db, start_node, write_config
from tests.processes import Proc, hub_command, wait_until

__all__ = ["database_url", "forgetful_broker", "pg_database"]  # fixtures, used by name

pytestmark = pytest.mark.e2e

NODE = "spk-ack"
N = 8
DB_POLL_S = 0.5  # each look at the hub's database is a new connection; PostgreSQL is shared
ANNOUNCED = "SELECT count(*) FROM outbox_delivery WHERE announcement_id != ''"


def online(broker_url: str, node_id: str) -> Watcher:
    watcher = Watcher(broker_url, mqtt.NodeStatus.topic(node_id=node_id))
    assert watcher.wait_for(lambda got: any(m.payload == b"online" for m in got), 60)
    return watcher


def node_played(data_dir: Path) -> list[str]:
    """Announcement ids the speaker played, one entry per time it played one."""
    return [row[0] for row in query_node_db(data_dir, "SELECT announcement_id FROM history ORDER BY seq")]


def test_announcements_a_broker_lost_after_puback_are_played_once_when_the_speaker_returns(
    tmp_path: Path, forgetful_broker: Mosquitto, database_url: str, alsa_sink: AlsaSink
) -> None:
    broker, url = forgetful_broker, database_url
    env = prepared_hub(tmp_path, broker.url, url, enrol(NODE))
    config = write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir=str(tmp_path / "node"))
    node = start_node(config, alsa_sink, tmp_path, "node-1")
    online(broker.url, NODE).close()
    assert node.terminate() == 0  # offline now; its session at the broker queues for it
    publisher = Proc("publisher", hub_command("publish"), env, tmp_path)
    node2: Proc | None = None
    try:
        subprocess.run(hub_command("shell", "-c", announce(N)), env=env, check=True, timeout=60)
        assert wait_until(lambda: count(url, ANNOUNCED + " AND status = 'sent'") == N, 30, DB_POLL_S), publisher.log()[-3000:]

        broker.kill()  # after PUBACK, before any save: the speaker's queue is gone
        broker.start()
        node2 = start_node(config, alsa_sink, tmp_path, "node-2")
        assert wait_until(lambda: "session present: False" in node2.log(), 30), node2.log()[-3000:]

        receipts = "SELECT count(*), count(DISTINCT announcement_id) FROM outbox_receipt WHERE status = 'played'"
        assert wait_until(lambda: tuple(count_pair(url, receipts)) == (N, N), 90, DB_POLL_S), (
            node2.log()[-3000:] + publisher.log()[-3000:])
        played = node_played(tmp_path / "node")
        assert len(played) == N and len(set(played)) == N
        assert count(url, "SELECT count(*) FROM outbox_expectation WHERE status = 'answered'") == N
        assert wait_until(lambda: query_node_db(tmp_path / "node", "SELECT count(*) FROM outbox")[0][0] == 0, 30)
        assert alsa_sink.size() > 0
    finally:
        codes = {"publisher": publisher.terminate()}
        if node2 is not None:
            codes["node"] = node2.terminate()
    assert codes == {"publisher": 0, "node": 0}


def test_receipts_a_broker_lost_are_sent_again_and_recorded_once(
    tmp_path: Path, forgetful_broker: Mosquitto, database_url: str, alsa_sink: AlsaSink
) -> None:
    broker, url = forgetful_broker, database_url
    env = prepared_hub(tmp_path, broker.url, url, enrol(NODE))
    config = write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir=str(tmp_path / "node"))
    node = start_node(config, alsa_sink, tmp_path)
    online(broker.url, NODE).close()
    publisher = Proc("publisher-1", hub_command("publish"), env, tmp_path)
    again: Proc | None = None
    outbox = tmp_path / "node"
    try:
        assert wait_until(lambda: "connected to" in publisher.log(), 30), publisher.log()
        os.kill(node.process.pid, signal.SIGSTOP)  # it takes the announcements only once the hub is gone
        try:
            subprocess.run(hub_command("shell", "-c", announce(N)), env=env, check=True, timeout=60)
            assert wait_until(lambda: count(url, ANNOUNCED + " AND status = 'sent'") == N, 30, DB_POLL_S), publisher.log()[-3000:]
            assert publisher.terminate() == 0  # the hub's session stays: the broker queues receipts for it
        finally:
            os.kill(node.process.pid, signal.SIGCONT)
        # every receipt taken by the broker (PUBACK) and held in its memory for the hub
        assert wait_until(lambda: query_node_db(outbox, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")[0][0] == N,
                          90), node.log()[-3000:]
        broker.kill()
        broker.start()
        again = Proc("publisher-2", hub_command("publish"), env, tmp_path)
        assert wait_until(lambda: "session present: False" in again.log(), 30), again.log()  # the broker forgot

        receipts = "SELECT count(*), count(DISTINCT announcement_id) FROM outbox_receipt WHERE status = 'played'"
        assert wait_until(lambda: tuple(count_pair(url, receipts)) == (N, N), 90, DB_POLL_S), (
            node.log()[-3000:] + again.log()[-3000:])
        assert wait_until(lambda: query_node_db(outbox, "SELECT count(*) FROM outbox")[0][0] == 0, 60), node.log()[-3000:]
        played = node_played(outbox)
        assert len(played) == N and len(set(played)) == N
    finally:
        codes = {"node": node.terminate()}
        if again is not None:
            codes["publisher"] = again.terminate()
    assert set(codes.values()) == {0}


def test_a_route_no_speaker_follows_shows_it_and_a_new_speaker_gets_the_unexpired_backlog(
    tmp_path: Path, broker: Mosquitto, database_url: str, alsa_sink: AlsaSink
) -> None:
    url = database_url
    env = prepared_hub(tmp_path, broker.url, url)
    publisher = Proc("publisher", hub_command("publish"), env, tmp_path)
    node: Proc | None = None
    try:
        # two that stay valid for an hour, one that expires 10 s after it is sent
        subprocess.run(hub_command("shell", "-c", announce(2) + announce(1, minutes_left=10 / 60)), env=env,
                       check=True, timeout=60)
        assert wait_until(lambda: count(url, ANNOUNCED + " AND status = 'no_speaker'") == 3, 30, DB_POLL_S), publisher.log()[-3000:]
        short_lived = sql_one(url, ANNOUNCED.replace("count(*)", "announcement_id") + " ORDER BY expires_at LIMIT 1")
        time.sleep(11)  # it expires: the backlog a speaker enrolled now gets leaves it out

        subprocess.run(hub_command("shell", "-c", enrol(NODE)), env=env, check=True, timeout=60)
        config = write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir=str(tmp_path / "node"))
        node = start_node(config, alsa_sink, tmp_path)
        played = "SELECT count(*) FROM outbox_receipt WHERE status = 'played'"
        assert wait_until(lambda: count(url, played) == 2, 60, DB_POLL_S), node.log()[-3000:] + publisher.log()[-3000:]
        assert short_lived not in node_played(tmp_path / "node") and len(node_played(tmp_path / "node")) == 2
        # the two it reached count as sent now; the expired one stays as it was
        assert count(url, ANNOUNCED + " AND status = 'sent'") == 2
        assert count(url, ANNOUNCED + " AND status = 'no_speaker'") == 1
    finally:
        codes = {"publisher": publisher.terminate()}
        if node is not None:
            codes["node"] = node.terminate()
    assert set(codes.values()) == {0}
