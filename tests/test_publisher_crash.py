"""A publisher SIGKILLed between publish and PUBACK re-sends, and the speaker says it once.

To land the kill in that window deterministically, the broker is frozen
(SIGSTOP) while the running publisher takes new deliveries: its PUBLISH
packets wait in the broker's socket and no PUBACK can come back. Then the
publisher is frozen too, and the broker thawed: it routes the messages, the
real node plays them, and the PUBACKs wait unread in the frozen publisher's
socket. The publisher is SIGKILLed there, its rows still ``pending``. A fresh
publisher sends them again; the node drops the repeat by announcement id:
one ``played`` receipt and one sound each.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

import mqtt
from mqtt.broker import Mosquitto
from tests.ack_helpers import enrol
from tests.conftest import AlsaSink
from tests.mqtt_helpers import Watcher
from tests.node_helpers import settled_size, start_node, write_config
from tests.processes import Proc, hub_command, hub_env, wait_until

pytestmark = pytest.mark.e2e

NODE = "spk-crash"
CREATE = (
    "from tests.attention_helpers import announced\n"
    "announced('客户张三提交了订单10023')\n"
    "announced('Customer Tom placed order 10024', lang='en')\n"
)


def statuses(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path, timeout=30) as db:
        rows = db.execute("SELECT status, count(*) FROM outbox_delivery WHERE announcement_id != '' GROUP BY status")
        return dict(rows.fetchall())


def pending_bytes(db_path: Path) -> int:
    """What the pending deliveries' PUBLISH packets hold at least: their topics and payloads."""
    with sqlite3.connect(db_path, timeout=30) as db:
        rows = db.execute("SELECT topic, payload FROM outbox_delivery WHERE status = 'pending' AND announcement_id != ''")
        return sum(len(topic.encode()) + len(payload) for topic, payload in rows)


def unread_by_broker(broker_port: int, client_pid: int) -> int:
    """Bytes the (frozen) broker has not read yet from ``client_pid``'s connection to it.

    The kernel accepts what a client writes even while the broker is stopped; it
    waits in the receive queue of the broker's end of the TCP connection.
    """
    inodes = set()
    for fd in Path(f"/proc/{client_pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    client_ports = {int(r[1].split(":")[1], 16) for r in rows
                    if r[9] in inodes and int(r[2].split(":")[1], 16) == broker_port}
    return sum(int(r[4].split(":")[1], 16) for r in rows
               if int(r[1].split(":")[1], 16) == broker_port and int(r[2].split(":")[1], 16) in client_ports)


def test_a_publisher_killed_before_puback_resends_and_the_node_plays_it_once(
    tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    env = hub_env(tmp_path / "hub", broker.url, {"SHOPCRIER_LOG_LEVEL": "DEBUG"})
    db_path = tmp_path / "hub" / "hub.sqlite3"
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
    subprocess.run(hub_command("shell", "-c", enrol(NODE)), env=env, check=True, timeout=60)  # receipts count only from it
    watcher = Watcher(broker.url, mqtt.Announcement.all_filter(), mqtt.Receipt.subscription(), mqtt.NodeStatus.topic(node_id=NODE))
    node = start_node(write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir=str(tmp_path / "node")),
                      alsa_sink, tmp_path)
    publisher = Proc("publisher-1", hub_command("publish"), env, tmp_path)
    again: Proc | None = None
    assert broker.process is not None
    try:
        assert watcher.wait_for(lambda got: any(m.payload == b"online" for m in got), 60), node.log()[-3000:]
        assert wait_until(lambda: "connected to" in publisher.log(), 30), publisher.log()

        os.kill(broker.process.pid, signal.SIGSTOP)
        try:
            subprocess.run(hub_command("shell", "-c", CREATE), env=env, check=True, timeout=60)
            assert wait_until(lambda: "handed to the broker link; waiting for PUBACK" in publisher.log(), 20), publisher.log()
            # paho's network thread writes the packets into the frozen broker's socket: both must be there
            # before the publisher is frozen too (0.5 s was not always enough on a loaded machine)
            port = broker.config.port
            assert wait_until(lambda: unread_by_broker(port, publisher.process.pid) >= pending_bytes(db_path), 20)
            publisher.process.send_signal(signal.SIGSTOP)
        finally:
            os.kill(broker.process.pid, signal.SIGCONT)

        def played() -> list[mqtt.Receipt]:
            receipts = [mqtt.Receipt.from_json(m.payload) for m in watcher.drain() if mqtt.Receipt.is_topic(m.topic)]
            return [r for r in receipts if r.status == "played"]

        # the publisher is frozen: the node can only be playing what it sent before
        # (distinct ids: the node sends a receipt again when the hub has not confirmed it in 30 s)
        assert wait_until(lambda: len({r.id for r in played()}) == 2, 60, 0.1), node.log()[-3000:]
        size = settled_size(alsa_sink)
        assert size > 2 * 22050
        publisher.kill()  # its PUBACKs unread
        assert statuses(db_path) == {"pending": 2}  # so nothing was marked sent

        again = Proc("publisher-2", hub_command("publish"), env, tmp_path)
        assert wait_until(lambda: statuses(db_path) == {"sent": 2}, 30), again.log()[-3000:]
        def sends() -> Counter[str]:
            return Counter(mqtt.Announcement.from_json(m.payload).id for m in watcher.drain()
                           if mqtt.Announcement.parse_topic(m.topic) is not None)

        # Each went out again from the new publisher. At least twice, not exactly: QoS 1 lets the
        # broker hand a watcher a message again (DUP); the node playing each once is what must hold.
        assert wait_until(lambda: len(sends()) == 2 and min(sends().values()) >= 2, 10), sends()
        assert wait_until(lambda: node.log().count("was seen before") >= 2, 20), node.log()[-3000:]
        time.sleep(1.0)  # a wrong second play would have begun by now
        # one play each: a receipt the node sends again is the same receipt (same instant); a
        # second play would be a new one
        assert len({(r.id, r.at) for r in played()}) == 2 and len({r.id for r in played()}) == 2
        assert settled_size(alsa_sink) == size
        # the new publisher records the receipts the node sent (from its persistent session)
        with sqlite3.connect(db_path, timeout=30) as db:
            assert wait_until(
                lambda: db.execute("SELECT count(*) FROM outbox_receipt WHERE status = 'played'").fetchone()[0] == 2, 20
            ), again.log()[-3000:]
    finally:
        publisher.kill()
        if again is not None:
            assert again.terminate() == 0
        assert node.terminate() == 0
        watcher.close()
