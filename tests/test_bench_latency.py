"""Benchmark: a payment speaker's latency, platform event → the speaker's first audio sample.

Real processes: a private Mosquitto, ``shopcrier-hub run``, ``shopcrier-hub
serve`` taking signed webhooks, and a speaker (``tests.soak.speaker``: the
real agent, store, link and sounddevice player into an ALSA file sink; only
its TTS is a 20 ms tone, so synthesis time is not in these figures: see
test_bench_node.py for piper's). The moment of the first sample is when the
sink file starts growing (watched every millisecond from this process).

Webhooks arrive at 20 messages/s; every tenth is an order for the measured
speaker's department, the rest go to departments it does not follow. Phases,
in one run, against the same database and speaker:

1. poll only (``SHOPCRIER_OUTBOX_WAKE=0``: the publisher looks every 0.2 s, as before);
2. woken on commit (hub.outbox.wake);
3. the platform polled every second (no webhook), an order appearing at a random moment.

Prints p50/p99 per phase; asserts only that each probe was heard.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

import mqtt
from hub.simulator.generator import Generator
from hub.simulator.server import Feed, SimulatorServer
from mqtt.broker import Mosquitto, free_port
from tests.conftest import AlsaSink
from tests.node_helpers import write_config
from tests.processes import Proc, hub_command, wait_until
from tests.webhook_load import prepare, serve, signed

pytestmark = pytest.mark.bench

RATE = 20.0  # webhooks per second
EVERY = 10  # one probe (an order for the measured speaker) in this many
PROBES = 80
POLL_PROBES = 30
GAP = 0.1  # a sound starts after the sink was still this long


class SinkWatch:
    """Notes the moments the sink starts growing after being still for ``GAP`` seconds."""

    def __init__(self, sink: AlsaSink) -> None:
        self.sink = sink
        self.starts: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        size, changed = self.sink.size(), 0.0
        while not self.stop.is_set():
            now_size = self.sink.size()
            now = time.perf_counter()
            if now_size != size:
                if now - changed > GAP:
                    self.starts.append(now)
                size, changed = now_size, now
            time.sleep(0.001)

    def first_after(self, t: float, before: float) -> float | None:
        return next((s for s in self.starts if t <= s < before), None)


def split_messages(n_probes: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Orders (the probes) and messages of other categories, all with fresh ids."""
    generator = Generator(seed=seed)
    orders: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    while len(orders) < n_probes or len(others) < n_probes * (EVERY - 1):
        m = generator.one()
        m["id"] = f"s{seed}-{m['id']}"  # fresh in every phase
        # small amounts only: a large order is `high` priority, and nothing else may differ
        if m["expected_category"] == "order" and len(orders) < n_probes:
            orders.append(m)
        elif m["expected_category"] not in ("order", "system") and len(others) < n_probes * (EVERY - 1):
            others.append(m)
    return orders, others


def webhook_phase(base: str, watch: SinkWatch, seed: int) -> tuple[list[float], int]:
    """Send at RATE for PROBES probes; latencies (s) of the probes heard, and how many were not."""
    orders, others = split_messages(PROBES, seed)
    session = requests.Session()
    sent: list[float] = []
    start = time.perf_counter()
    for i in range(PROBES * EVERY):
        due = start + i / RATE
        time.sleep(max(0.0, due - time.perf_counter()))
        probe = i % EVERY == 0
        body, headers = signed(orders[i // EVERY] if probe else others.pop())
        at = time.perf_counter()
        r = session.post(f"{base}/hooks/shop/", data=body, headers=headers, timeout=30)
        assert r.status_code == 200 and r.json()["stored"] == 1, r.text
        if probe:
            sent.append(at)
    time.sleep(3)
    return matched(watch, sent)


def matched(watch: SinkWatch, sent: list[float], limit: float = 5.0) -> tuple[list[float], int]:
    """Each probe's sound is the first that starts after it was sent and after the previous
    probe's sound (the speaker says them in order); none within ``limit`` s: not heard."""
    latencies, missing, last = [], 0, 0.0
    for at in sent:
        heard = watch.first_after(max(at, last + 1e-9), at + limit)
        if heard is None:
            missing += 1
        else:
            latencies.append(heard - at)
            last = heard
    return latencies, missing


def line(name: str, latencies: list[float], missing: int) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98]
    return (f"  {name:<44} n={len(ms):3d}  p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  "
            f"max {ms[-1]:7.1f} ms  not heard {missing}")


def test_bench_platform_event_to_first_audio_sample(tmp_path: Path, broker: Mosquitto) -> None:
    feed = Feed()
    platform = SimulatorServer(("127.0.0.1", 0), feed)
    threading.Thread(target=platform.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = free_port()
    env = prepare(tmp_path, f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite3'}", broker.url,
                  {"SHOPCRIER_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    setup = ("from hub.org.models import Department, SpeakerNode\n"
             "SpeakerNode.objects.create(node_id='spk-pay', department=Department.objects.get(slug='orders'))\n")
    subprocess.run(hub_command("shell", "-c", setup), env=env, check=True, timeout=60)
    subprocess.run(hub_command("source", "platform", "--adapter", "simulator", "--url", platform.url, "--interval", "1s"),
                   env=env, check=True, timeout=60, stdout=subprocess.DEVNULL)
    sink = AlsaSink(tmp_path / "spk" / "home")
    (tmp_path / "spk").mkdir(exist_ok=True)
    config = write_config(tmp_path / "spk" / "node.toml", node_id="spk-pay", broker_url=broker.url,
                          data_dir=str(tmp_path / "spk" / "data"), routes=[mqtt.Route("ops", "orders")])
    speaker = Proc("speaker", [sys.executable, "-m", "tests.soak.speaker", "--config", str(config)], sink.env, tmp_path)
    watch = SinkWatch(sink)
    procs: list[Proc] = [speaker]
    results: list[str] = []
    try:
        for phase, extra in (("poll only (publisher looks every 0.2 s)", {"SHOPCRIER_OUTBOX_WAKE": "0"}),
                             ("woken on commit", {})):
            run = Proc(f"run-{len(procs)}", hub_command("run"), {**env, **extra}, tmp_path)
            web, base = serve({**env, **extra}, tmp_path, f"serve-{len(procs)}", port)
            procs += [run, web]
            assert wait_until(lambda: "publisher started" in run.log(), 60), run.log()[-2000:]
            webhook_phase(base, watch, seed=len(procs))  # warm-up: the chime fetched, caches filled
            latencies, missing = webhook_phase(base, watch, seed=100 + len(procs))
            results.append(line(f"webhook → first sample, {phase}", latencies, missing))
            assert missing == 0, results
            assert web.terminate() == 0 and run.terminate() == 0
        run = Proc("run-poll", hub_command("run"), env, tmp_path)
        procs.append(run)
        orders, _ = split_messages(POLL_PROBES, seed=999)
        jitter = random.Random(5)
        sent = []
        for order in orders:
            time.sleep(1.5 + jitter.random())
            sent.append(time.perf_counter())
            feed.add(order)
        time.sleep(4)
        latencies, missing = matched(watch, sent)
        results.append(line("platform polled every 1 s → first sample", latencies, missing))
        print(f"\npayment-speaker latency at {RATE:.0f} webhooks/s (1 in {EVERY} for the speaker), SQLite:")
        print("\n".join(results))
        assert missing == 0, results
    finally:
        watch.stop.set()
        for p in procs:
            if p.alive():
                p.terminate()
        platform.shutdown()
        platform.server_close()
