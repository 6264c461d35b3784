"""A speaker outage end to end, real parts only: private Mosquitto, ``shopcrier-hub run``,
a real ``shopcrier-node``. SIGKILL the node: within keepalive × 1.5 (the broker's LWT) plus
a moment, the technical department's topic and ``alerts`` carry the outage; restart it:
the resolve follows."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

import mqtt
from mqtt.broker import Mosquitto
from tests.conftest import AlsaSink
from tests.monitor_helpers import TECH
from tests.mqtt_helpers import Watcher
from tests.processes import Proc, hub_command, hub_env, node_command, wait_until

pytestmark = pytest.mark.e2e

NODE = "spk-tech-1"
KEEPALIVE = 5
BOUND_S = 30.0  # generous for a loaded CI machine; the figure printed is what matters


def write_node_config(path: Path, broker_url: str, data_dir: Path) -> Path:
    path.write_text(
        f'id = "{NODE}"\nbroker = "{broker_url}?keepalive={KEEPALIVE}"\ndata_dir = "{data_dir}"\n'
        'heartbeat_interval = 5\n\n[[routes]]\nsubsystem = "ops"\ndepartment = "tech"\n'
    )
    return path


def node_status(db: Path) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT status FROM monitor_nodehealth WHERE node_id = ?", (NODE,)).fetchone()
    return row[0] if row else None


def alerts(watcher: Watcher, state: str) -> list[mqtt.Alert]:
    found = [mqtt.Alert.from_json(m.payload) for m in watcher.drain() if m.topic == mqtt.Alert.topic()]
    return [a for a in found if a.state == state]


def spoken(watcher: Watcher) -> list[mqtt.Announcement]:
    return [mqtt.Announcement.from_json(m.payload) for m in watcher.drain() if m.topic == TECH]


def start_node(config: Path, sink: AlsaSink, log_dir: Path, name: str) -> Proc:
    return Proc(name, node_command(config), sink.env, log_dir)


def test_a_sigkilled_node_is_announced_to_tech_and_on_alerts_and_its_return_resolves_it(
    tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    env = hub_env(tmp_path / "hub", broker.url)
    db = tmp_path / "hub" / "hub.sqlite3"
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
    fleet = tmp_path / "fleet.toml"  # the hub hears enrolled speakers only (hub/fleet/known.py)
    fleet.write_text(f'[[nodes]]\nid = "{NODE}"\ndepartment = "tech"\n', encoding="utf-8")
    subprocess.run(hub_command("load", str(fleet)), env=env, check=True, timeout=120, capture_output=True)
    watcher = Watcher(broker.url, TECH, mqtt.Alert.topic())
    config = write_node_config(tmp_path / "node.toml", broker.url, tmp_path / "node")
    hub = Proc("hub", hub_command("run"), env, tmp_path)
    node = start_node(config, alsa_sink, tmp_path, "node")
    restarted: Proc | None = None
    try:
        assert wait_until(lambda: node_status(db) == "up", 60, 0.2), f"{hub.log()[-3000:]}\n{node.log()[-2000:]}"

        node.kill()
        killed = time.monotonic()
        assert wait_until(lambda: any(a.category == "system" for a in spoken(watcher)), BOUND_S, 0.05), hub.log()[-3000:]
        detected = time.monotonic() - killed
        assert wait_until(lambda: bool(alerts(watcher, "opened")), 5, 0.05)
        print(f"\nnode SIGKILL -> alert on {TECH}: {detected:.1f} s (target keepalive x 1.5 + 2 = {KEEPALIVE * 1.5 + 2:g} s)")
        assert NODE in alerts(watcher, "opened")[0].text

        restarted = start_node(config, alsa_sink, tmp_path, "node-restarted")
        assert wait_until(lambda: bool(alerts(watcher, "resolved")), BOUND_S, 0.1), hub.log()[-3000:]
        assert alerts(watcher, "resolved")[0].text == f"Speaker {NODE} is back online"
        assert len(alerts(watcher, "opened")) == 1
        assert restarted.terminate() == 0
    finally:
        for proc in (node, restarted):
            if proc is not None:
                proc.kill()
        code = hub.terminate()
        watcher.close()
    assert code == 0, hub.log()[-3000:]
