"""The soak's run: start everything as real processes, feed the platform, apply the fault
schedule, let it settle, count.

Processes: a private Mosquitto (persistence on, the generated config), ``shopcrier-hub run``
(poller, publisher, escalator, monitor), the hub's ASGI app under daphne for ``/hooks/``,
three soak speakers (tests/soak/speaker.py) each on its own ALSA file sink. The platform
server runs in this process (it is the world outside the hub).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import requests

import mqtt
from hub.simulator.server import Feed
from mqtt.broker import BrokerConfig, Mosquitto, free_port
from tests.ack_helpers import sql
from tests.conftest import AlsaSink
from tests.node_helpers import query_node_db, write_config
from tests.processes import Proc, hub_command, hub_env, wait_until

from .feeder import Feeder
from .platform import FaultyPlatform
from .tally import Row, table, tally

log = logging.getLogger(__name__)

SECRET_ENV, SECRET = "SOAK_WEBHOOK_SECRET", "soak-webhook-secret"
# speaker → (department, staff whose personal announcements it also says)
SPEAKERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "spk-orders": ("orders", ()),
    "spk-service": ("service", ()),
    "spk-finance": ("finance", ("003",)),
}
FAULT_KINDS = ("broker", "platform:500", "speaker:spk-orders", "hub", "broker+speaker:spk-service",
               "platform:timeout", "speakers", "broker+hub", "speaker:spk-finance", "platform:html")


def schedule(duration: float, count: int) -> list[tuple[float, str]]:
    """``count`` faults spread over ``duration`` seconds, cycling through every kind."""
    step = duration / (count + 1)
    return [(step * (i + 1), FAULT_KINDS[i % len(FAULT_KINDS)]) for i in range(count)]


@dataclass
class Result:
    rows: list[Row]
    sent: int
    stored: int
    duplicates: int
    poison: int
    quarantined: int
    faults: list[str] = field(default_factory=list)
    settled: bool = False
    seconds: float = 0.0

    def report(self) -> str:
        lines = [
            f"messages: {self.sent:,} sent by the platform, {self.stored:,} stored ({self.duplicates} stored twice); "
            f"{self.poison} poison items, {self.quarantined} of them quarantined",
            f"faults ({len(self.faults)}): {', '.join(self.faults)}",
            f"settled: {'yes' if self.settled else 'NO (counted as it stood)'} after {self.seconds:.0f} s",
            table(self.rows),
        ]
        return "\n".join(lines)


class Soak:
    def __init__(self, workdir: Path, messages: int, rate: float, faults: int, *, database_url: str | None = None,
                 blocking_poison: bool = False, settle_timeout: float = 300.0, forgetful_broker: bool = False) -> None:
        self.workdir = workdir
        self.messages = messages
        self.rate = rate
        self.plan = schedule(messages / rate, faults)
        self.database_url = database_url or f"sqlite:///{workdir / 'hub' / 'hub.sqlite3'}"
        self.blocking_poison = blocking_poison
        self.settle_timeout = settle_timeout
        # forgetful: no autosave at all, so a broker SIGKILL loses every queued message and session
        config = BrokerConfig(port=free_port(), data_dir=workdir / "broker")
        if forgetful_broker:
            config = replace(config, autosave_on_changes=False, autosave_interval=3600)
        self.broker = Mosquitto(config)
        self.feed = Feed()
        self.platform = FaultyPlatform(self.feed)
        self.env = hub_env(workdir / "hub", self.broker.url, {"DATABASE_URL": self.database_url, SECRET_ENV: SECRET})
        self.web_port = free_port()
        self.procs: dict[str, Proc] = {}
        self.starts: dict[str, int] = {}
        self.sinks = {name: AlsaSink(workdir / name / "home") for name in SPEAKERS}
        self.done: list[str] = []

    # -- processes ------------------------------------------------------------------------
    def spawn(self, name: str) -> None:
        self.starts[name] = self.starts.get(name, 0) + 1
        label = f"{name}-{self.starts[name]}"
        if name == "hub":
            self.procs[name] = Proc(label, hub_command("run"), self.env, self.workdir)
        elif name == "web":
            argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.web_port), "hub.asgi:application"]
            self.procs[name] = Proc(label, argv, self.env, self.workdir)
        else:
            config = self.workdir / name / "node.toml"
            argv = [sys.executable, "-m", "tests.soak.speaker", "--config", str(config)]
            self.procs[name] = Proc(label, argv, self.sinks[name].env, self.workdir)

    def kill(self, name: str) -> None:
        self.procs[name].kill()

    def setup(self) -> None:
        self.broker.start()
        self.platform.start()
        subprocess.run(hub_command("migrate", "-v0"), env=self.env, check=True, timeout=300)
        subprocess.run(hub_command("source", "shop", "--adapter", "simulator", "--url", self.platform.url,
                                   "--interval", "1s"), env=self.env, check=True, timeout=60, stdout=subprocess.DEVNULL)
        enrol = ["from hub.intake.models import Source",
                 f"Source.objects.filter(name='shop').update(webhook={{'secret_env': '{SECRET_ENV}'}})",
                 "from hub.org.models import Department, SpeakerNode, Staff"]
        for node_id, (dept, staff) in SPEAKERS.items():
            enrol.append(f"n = SpeakerNode.objects.create(node_id='{node_id}', department=Department.objects.get(slug='{dept}'))")
            enrol += [f"n.staff.add(Staff.objects.get(number='{number}'))" for number in staff]
        subprocess.run(hub_command("shell", "-c", "\n".join(enrol)), env=self.env, check=True, timeout=60)
        for node_id, (dept, _) in SPEAKERS.items():
            (self.workdir / node_id).mkdir(parents=True, exist_ok=True)
            write_config(self.workdir / node_id / "node.toml", node_id=node_id, broker_url=self.broker.url,
                         data_dir=str(self.workdir / node_id / "data"), routes=[mqtt.Route("ops", dept)],
                         extra="heartbeat_interval = 5")
            self.spawn(node_id)
        self.spawn("hub")
        self.spawn("web")
        up = wait_until(lambda: self._web_up(), 60, 0.2)
        if not up:
            raise RuntimeError("the hub's web side did not come up:\n" + self.procs["web"].log()[-2000:])

    def _web_up(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.web_port}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    # -- faults ----------------------------------------------------------------------------
    def apply(self, kind: str) -> None:
        log.warning("fault: %s", kind)
        self.done.append(kind)
        if kind.startswith("platform:"):
            self.platform.fault = kind.split(":", 1)[1]
            time.sleep(8)
            self.platform.fault = "ok"
            return
        victims = []
        for part in kind.split("+"):
            if part == "broker":
                self.broker.kill()
            elif part == "speakers":
                victims += list(SPEAKERS)
            elif part.startswith("speaker:"):
                victims.append(part.split(":", 1)[1])
            else:
                victims.append(part)
        for name in victims:
            self.kill(name)
        time.sleep(2)
        if "broker" in kind:
            self.broker.start()
        for name in victims:
            self.spawn(name)

    def faults(self, started: float, stop: threading.Event) -> None:
        for at, kind in self.plan:
            if stop.wait(max(0.0, started + at - time.monotonic())):
                return
            self.apply(kind)

    # -- settling and counting -------------------------------------------------------------------
    def settled(self, good: int) -> bool:
        url = self.database_url
        stored = sql(url, "SELECT count(DISTINCT external_id) FROM intake_message WHERE external_id LIKE 'soak-%'")[0][0]
        if stored < good:
            return False
        if sql(url, "SELECT count(*) FROM outbox_delivery WHERE status = 'pending'")[0][0]:
            return False
        if sql(url, "SELECT count(*) FROM outbox_expectation WHERE status = 'waiting'")[0][0]:
            return False
        for node_id in SPEAKERS:
            data = self.workdir / node_id / "data"
            if query_node_db(data, "SELECT count(*) FROM announcements WHERE status IN ('queued', 'playing')")[0][0]:
                return False
            if query_node_db(data, "SELECT count(*) FROM outbox")[0][0]:
                return False
        return True

    def run(self) -> Result:
        self.setup()
        feeder = Feeder(self.feed, f"http://127.0.0.1:{self.web_port}/hooks/shop/", SECRET, self.messages, self.rate,
                        blocking_poison=self.blocking_poison)
        stop = threading.Event()
        started = time.monotonic()
        threads = [threading.Thread(target=feeder.run, args=(stop,), daemon=True),
                   threading.Thread(target=self.faults, args=(started, stop), daemon=True)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            settled = wait_until(lambda: self.settled(len(feeder.fed.good)), self.settle_timeout, 2.0)
            return self.count(feeder, settled, time.monotonic() - started)
        finally:
            stop.set()
            self.stop()

    def count(self, feeder: Feeder, settled: bool, seconds: float) -> Result:
        url = self.database_url
        stored, distinct = sql(url, "SELECT count(*), count(DISTINCT external_id) FROM intake_message "
                                    "WHERE external_id LIKE 'soak-%'")[0]
        quarantined = sql(url, "SELECT count(*) FROM intake_quarantine WHERE raw LIKE '%poison-%'")[0][0]
        rows = []
        for node_id, (dept, staff) in SPEAKERS.items():
            topics = [mqtt.Announcement.topic_for(mqtt.Route(), mqtt.DEFAULT_BASE),
                      mqtt.Announcement.topic_for(mqtt.Route("ops", dept), mqtt.DEFAULT_BASE)]
            topics += [mqtt.Announcement.topic_for(mqtt.Route("ops", dept, s), mqtt.DEFAULT_BASE) for s in staff]
            rows.append(tally(url, node_id, topics, self.workdir / node_id / "data"))
        return Result(rows, len(feeder.fed.good), int(distinct), int(stored) - int(distinct), feeder.fed.poison,
                      int(quarantined), list(self.done), settled, seconds)

    def stop(self) -> None:
        for name, proc in self.procs.items():
            try:
                proc.terminate(30)
            except AssertionError as exc:
                log.error("%s", exc)
        self.platform.stop()
        self.broker.stop()
