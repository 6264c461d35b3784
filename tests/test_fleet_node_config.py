"""The hub tells each speaker what to follow: retained node/{id}/config from the registry."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import time as clock_time
from pathlib import Path

import pytest

import mqtt
from hub.attention.models import QuietHours
from hub.fleet.node_config import ConfigPusher, node_config
from hub.org.models import Department, SpeakerNode, Staff
from hub.simulator.server import SimulatorServer
from hub.sounds.language import set_hub_language
from mqtt.broker import Mosquitto
from tests.conftest import AlsaSink
from tests.hub_helpers import read_samples
from tests.mqtt_helpers import Watcher
from tests.paths import SAMPLES
from tests.processes import Proc, hub_command, hub_env, node_command, wait_until


@pytest.fixture
def link(broker: Mosquitto) -> Iterator[mqtt.Link]:
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), f"hub-{uuid.uuid4().hex[:6]}")
    link.start()
    assert link.wait_connected(10)
    yield link
    link.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def configs(watcher: Watcher, node_id: str) -> list[bytes]:
    topic = mqtt.NodeConfig.topic(node_id=node_id)
    return [m.payload for m in watcher.drain() if m.topic == topic]


@pytest.mark.django_db
@pytest.mark.clock
def test_a_speaker_is_told_its_routes_volume_and_quiet_hours_and_told_again_when_they_change(
    broker: Mosquitto, link: mqtt.Link
) -> None:
    finance = Department.objects.get(slug="finance")
    node = SpeakerNode.objects.create(node_id="spk-fin", department=finance, volume=60)
    node.staff.add(Staff.objects.get(number="003"))
    QuietHours.objects.create(department=finance, weekdays="mon,tue", start=clock_time(22), end=clock_time(7), timezone="Asia/Shanghai")
    clock = Clock()
    pusher = ConfigPusher(link, "shopcrier", monotonic=clock)
    assert pusher.push_if_due() == 1

    watcher = Watcher(broker.url, mqtt.NodeConfig.subscription())  # joins later: the config is retained
    assert watcher.wait_for(lambda got: configs(watcher, "spk-fin") != [], 5)
    config = mqtt.NodeConfig.from_json(configs(watcher, "spk-fin")[0])
    assert config.routes == (mqtt.Route("ops", "finance"), mqtt.Route("ops", "finance", "003"))
    assert config.volume == 60
    assert config.quiet_hours == (mqtt.QuietHours(start="22:00", end="07:00", days=(0, 1), tz="Asia/Shanghai"),)
    assert config.language == "zh"  # the hub's language, for the speaker's own prompts
    assert config.department_names == {"finance": mqtt.DepartmentName("财务部门")}  # what the speaker says for it

    assert pusher.push_if_due() == 0  # not due yet
    clock.now += 60
    assert pusher.push_if_due() == 0  # due, but nothing changed
    SpeakerNode.objects.filter(pk=node.pk).update(volume=90)
    clock.now += 60
    assert pusher.push_if_due() == 1
    assert watcher.wait_for(lambda got: len(configs(watcher, "spk-fin")) == 2, 5)
    assert mqtt.NodeConfig.from_json(configs(watcher, "spk-fin")[1]).volume == 90

    set_hub_language("en")
    clock.now += 60
    assert pusher.push_if_due() == 1
    assert watcher.wait_for(lambda got: len(configs(watcher, "spk-fin")) == 3, 5)
    assert mqtt.NodeConfig.from_json(configs(watcher, "spk-fin")[2]).language == "en"

    finance.name = "财务部"  # an admin renames the department (admin and dashboard save the model)
    finance.save()
    clock.now += 60
    assert pusher.push_if_due() == 1
    assert watcher.wait_for(lambda got: len(configs(watcher, "spk-fin")) == 4, 5)
    renamed = mqtt.NodeConfig.from_json(configs(watcher, "spk-fin")[3])
    assert renamed.department_names == {"finance": mqtt.DepartmentName("财务部")}

    SpeakerNode.objects.filter(pk=node.pk).update(enabled=False)
    clock.now += 60
    assert pusher.push_if_due() == 1
    assert watcher.wait_for(lambda got: configs(watcher, "spk-fin")[-1:] == [b""], 5)  # retained config cleared
    watcher.close()


@pytest.mark.django_db
def test_a_config_names_every_department_its_routes_go_to_once_its_own_first() -> None:
    tech = Department.objects.get(slug="tech")
    node = SpeakerNode.objects.create(node_id="spk-tech", department=tech)
    node.staff.add(Staff.objects.get(number="003"))  # finance
    config = node_config(node)
    assert [r.department for r in config.routes] == ["tech", "finance"]
    assert config.department_names == {"tech": mqtt.DepartmentName("技术部门"), "finance": mqtt.DepartmentName("财务部门")}
    assert list(config.department_names) == ["tech", "finance"]


@pytest.mark.e2e
def test_a_freshly_flashed_speaker_with_only_its_identity_says_what_its_department_gets(
    tmp_path: Path, broker: Mosquitto, simulator: SimulatorServer, alsa_sink: AlsaSink
) -> None:
    env = hub_env(tmp_path / "hub", broker.url)
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
    registry = tmp_path / "fleet.toml"
    registry.write_text('[[nodes]]\nid = "spk-fin"\ndepartment = "finance"\nstaff = ["003"]\n')
    subprocess.run(hub_command("load", str(registry)), env=env, check=True, timeout=60)
    node_toml = tmp_path / "node.toml"  # what a freshly flashed speaker has: no routes
    node_toml.write_text(f'id = "spk-fin"\nbroker = "{broker.url}"\ndata_dir = "{tmp_path / "node"}"\n')
    node = Proc("node", node_command(node_toml), alsa_sink.env, tmp_path)
    hub = Proc("hub", hub_command("run"), env, tmp_path)
    watcher = Watcher(broker.url, mqtt.Receipt.subscription())
    try:
        assert wait_until(lambda: "applied the hub's config" in node.log(), 60), node.log()[-2000:]
        subprocess.run(
            hub_command("source", "shop", "--adapter", "simulator", "--url", simulator.url, "--interval", "1s"),
            env=env, check=True, timeout=60,
        )
        withdrawals = {s["id"] for s in read_samples(SAMPLES) if s["expected_category"] == "withdrawal"}
        assert watcher.wait_for(lambda got: len(got) >= len(withdrawals), 90), (node.log()[-2000:], hub.log()[-2000:])
        receipts = [mqtt.Receipt.from_json(m.payload) for m in watcher.drain()]
        # each withdrawal once, though it goes to both the finance and the 003 topic
        assert len({r.id for r in receipts}) == len(receipts) == len(withdrawals)
        assert {r.status for r in receipts} == {"played"}
        assert alsa_sink.size() > 0
    finally:
        watcher.close()
        assert node.terminate() == 0
        assert hub.terminate() == 0
