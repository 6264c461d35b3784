"""A frozen speaker (SIGSTOP: its TCP connection stays open, nothing more is sent) is called
down by the hub from its missing heartbeats (mqtt/liveness.py: at keepalive 5 the speaker beats
every 3 s, and is down 3 + 4 s after its last one was heard), before the broker's LWT (~10 s
after the freeze with Mosquitto 2.0.11). A benchmark (``make bench``): it prints the time to the
announcement beside the target keepalive × 1.5 + 2 s; the decision itself is tested with an
injected clock in tests/test_monitor_frozen.py."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import mqtt
from mqtt.broker import Mosquitto
from tests.conftest import AlsaSink
from tests.monitor_helpers import TECH
from tests.mqtt_helpers import Watcher
from tests.processes import Proc, hub_command, hub_env, wait_until
from tests.test_monitor_e2e import KEEPALIVE, NODE, alerts, node_status, spoken, start_node, write_node_config

pytestmark = [pytest.mark.e2e, pytest.mark.bench]

BOUND_S = KEEPALIVE * 1.5 + 2


def test_bench_a_frozen_speaker_is_announced_after_the_brokers_keepalive(
    tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    env = hub_env(tmp_path / "hub", broker.url)
    db = tmp_path / "hub" / "hub.sqlite3"
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(f'[[nodes]]\nid = "{NODE}"\ndepartment = "tech"\n', encoding="utf-8")
    subprocess.run(hub_command("load", str(fleet)), env=env, check=True, timeout=120, capture_output=True)
    watcher = Watcher(broker.url, TECH, mqtt.Alert.topic())
    config = write_node_config(tmp_path / "node.toml", broker.url, tmp_path / "node")
    hub = Proc("hub", hub_command("run"), env, tmp_path)
    node = start_node(config, alsa_sink, tmp_path, "node")
    try:
        assert wait_until(lambda: node_status(db) == "up", 60, 0.2), f"{hub.log()[-3000:]}\n{node.log()[-2000:]}"
        os.kill(node.process.pid, signal.SIGSTOP)
        frozen = time.monotonic()
        assert wait_until(lambda: any(a.category == "system" for a in spoken(watcher)), 60, 0.05), hub.log()[-3000:]
        detected = time.monotonic() - frozen
        print(f"\nnode SIGSTOP -> alert on {TECH}: {detected:.1f} s (target keepalive x 1.5 + 2 = {BOUND_S:g} s; "
              f"the broker alone waits keepalive x 1.5 = {KEEPALIVE * 1.5:g} s, and its LWT came ~10.1 s after the freeze)")
        assert wait_until(lambda: bool(alerts(watcher, "opened")), 5, 0.05)
    finally:
        os.kill(node.process.pid, signal.SIGCONT)
        node.kill()
        code = hub.terminate()
        watcher.close()
    assert code == 0, hub.log()[-3000:]
