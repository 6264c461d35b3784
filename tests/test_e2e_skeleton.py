"""The walking skeleton, end to end, with real parts only.

simulator (HTTP) → ``shopcrier-hub run`` (poll, store once, classify, route,
outbox → QoS 1) → private Mosquitto → ``shopcrier-node`` (piper / espeak-ng →
sounddevice → ALSA file plugin) → ``played`` receipt → the hub records it.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import mqtt
from hub.simulator.server import SimulatorServer
from mqtt.broker import Mosquitto
from tests.conftest import AlsaSink
from tests.mqtt_helpers import Watcher
from tests.hub_helpers import read_samples
from tests.paths import SAMPLES
from tests.processes import Proc, enrol_nodes, hub_command, hub_env, node_command, wait_until

pytestmark = pytest.mark.e2e

# The department each category goes to under the default routes.
DEPARTMENT = {
    "order": "orders",
    "appeal": "service",
    "refund": "service",
    "onboarding": "service",
    "other": "service",
    "withdrawal": "finance",
    "system": "tech",
}


def write_node_config(path: Path, node_id: str, broker_url: str, data_dir: Path, departments: list[str]) -> Path:
    routes = "".join(f'\n[[routes]]\nsubsystem = "ops"\ndepartment = "{d}"\n' for d in departments)
    path.write_text(
        f'id = "{node_id}"\nbroker = "{broker_url}"\ndata_dir = "{data_dir}"\nheartbeat_interval = 5\n{routes}'
    )
    return path


def test_each_sample_message_is_announced_once_on_its_department_topic_and_spoken(
    tmp_path: Path, broker: Mosquitto, simulator: SimulatorServer, alsa_sink: AlsaSink
) -> None:
    env = hub_env(tmp_path / "hub", broker.url)
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
    # known to the hub (it hears only enrolled speakers); disabled, so no pushed config replaces its own routes
    enrol_nodes(env, "spk-test", department="service", enabled=False)
    subprocess.run(
        hub_command("source", "shop", "--adapter", "simulator", "--url", simulator.url, "--interval", "1s"),
        env=env, check=True, timeout=60,
    )
    watcher = Watcher(broker.url, mqtt.Announcement.all_filter(), mqtt.Receipt.subscription())
    config = write_node_config(
        tmp_path / "node.toml", "spk-test", broker.url, tmp_path / "node", sorted(set(DEPARTMENT.values()))
    )
    node = Proc("node", node_command(config), alsa_sink.env, tmp_path)
    hub: Proc | None = None
    try:
        # the node's persistent session must exist before the hub publishes
        status = Watcher(broker.url, mqtt.NodeStatus.topic(node_id="spk-test"))
        assert status.wait_for(lambda got: any(m.payload == b"online" for m in got), 60), node.log()
        hub = Proc("hub", hub_command("run"), env, tmp_path)

        samples = read_samples(SAMPLES)
        expected = {s["id"]: s for s in samples}  # the repeated line collapses here

        def receipts() -> list[mqtt.Received]:
            return [m for m in watcher.drain() if mqtt.Receipt.is_topic(m.topic)]

        assert wait_until(lambda: len(receipts()) >= len(expected), 180, 0.5), (
            f"{len(receipts())} receipts of {len(expected)}\nNODE:\n{node.log()[-3000:]}\nHUB:\n{hub.log()[-3000:]}"
        )

        announcements = [m for m in watcher.drain() if mqtt.Announcement.parse_topic(m.topic) is not None]
        by_message: dict[str, list[tuple[str, mqtt.Announcement]]] = {}
        db = sqlite3.connect(tmp_path / "hub" / "hub.sqlite3")
        external = dict(db.execute("SELECT id, external_id FROM intake_message").fetchall())
        for m in announcements:
            a = mqtt.Announcement.from_json(m.payload)
            by_message.setdefault(external[a.message_id], []).append((m.topic, a))
        assert set(by_message) == set(expected)
        for sample_id, sample in expected.items():
            department_topic = f"shopcrier/announce/ops/{DEPARTMENT[sample['expected_category']]}"
            on_department = [a for topic, a in by_message[sample_id] if topic == department_topic]
            assert len(on_department) == 1, (sample_id, by_message[sample_id])
            # said from the category's template: the platform's sentence, system faults introduced as such
            assert on_department[0].text.endswith(sample["content"])
            assert on_department[0].category == sample["expected_category"]

        played = Counter(mqtt.Receipt.from_json(m.payload).id for m in receipts())
        assert all(n == 1 for n in played.values()) and len(played) == len(expected)
        assert {a.id for pairs in by_message.values() for _, a in pairs} == set(played)

        # the hub recorded every receipt
        assert wait_until(
            lambda: db.execute("SELECT count(*) FROM outbox_receipt WHERE status = 'played'").fetchone()[0]
            == len(expected),
            20,
        ), hub.log()[-3000:]

        # audio reached the device: mostly not silence, at least half a second a message
        audio = np.frombuffer(alsa_sink.read(), dtype=np.int16)
        assert audio.size >= len(expected) * 22050 // 2
        assert np.abs(audio).mean() > 100
    finally:
        codes = {"node": node.terminate()}
        if hub is not None:
            codes["hub"] = hub.terminate()
        watcher.close()
    assert codes == {"node": 0, "hub": 0}, (node.log()[-2000:], hub.log()[-2000:] if hub else "")
