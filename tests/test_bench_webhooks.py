"""Benchmark: webhook request latency through the real ASGI server (``make bench``).

Starts the hub under daphne with its own SQLite database and sends signed
webhooks one after another over one keep-alive connection. Each carries one
new message, so every request verifies, parses, stores, classifies, routes and
writes the outbox rows in one transaction. The baseline, measured the same way
in the same run, is ``GET /healthz``: one trivial query through the same
server, i.e. what any request costs before webhook work starts. The same
bodies are then sent again (freshly signed) for the cost of a duplicate.

Prints figures; asserts only that every request was answered as expected.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from hub.simulator.generator import Generator
from mqtt.broker import free_port
from tests.processes import Proc, wait_until
from tests.webhook_load import prepare, signed

pytestmark = pytest.mark.bench

N = 500
WARMUP = 20


def timed(send: Callable[[], requests.Response], check: Callable[[requests.Response], bool], n: int) -> list[float]:
    """Seconds per request for ``n`` sequential requests; each reply must pass ``check``."""
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        response = send()
        latencies.append(time.perf_counter() - started)
        assert check(response), f"HTTP {response.status_code}: {response.text[:300]}"
    return latencies


def report(name: str, latencies: list[float]) -> float:
    ms = sorted(s * 1000 for s in latencies)
    cuts = statistics.quantiles(ms, n=100)
    p50 = statistics.median(ms)
    print(
        f"  {name:<22} p50 {p50:7.2f} ms   p99 {cuts[98]:7.2f} ms   mean {statistics.fmean(ms):7.2f} ms"
        f"   {len(ms) / sum(latencies):7.1f} req/s"
    )
    return p50


def start_hub(tmp_path: Path) -> tuple[Proc, str]:
    env = prepare(tmp_path, f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite3'}")
    port = free_port()
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "hub.asgi:application"]
    hub = Proc("daphne", daphne, env, tmp_path)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    assert wait_until(up, 60, 0.1), hub.log()[-3000:]
    return hub, base


def test_bench_webhook_latency_against_healthz(tmp_path: Path) -> None:
    hub, base = start_hub(tmp_path)
    try:
        session = requests.Session()
        hook = f"{base}/hooks/shop/"
        generator = Generator(seed=7)
        warmup = [generator.one() for _ in range(WARMUP)]
        messages = [generator.one() for _ in range(N)]
        assert len({m["id"] for m in warmup + messages}) == WARMUP + N

        def healthz() -> requests.Response:
            return session.get(f"{base}/healthz", timeout=10)

        def post(queue: list[dict[str, Any]]) -> Callable[[], requests.Response]:
            it = iter(queue)

            def send() -> requests.Response:
                body, headers = signed(next(it))  # signing is the sender's cost, but tiny
                return session.post(hook, data=body, headers=headers, timeout=10)

            return send

        def ok(r: requests.Response) -> bool:
            return r.status_code == 200

        def new(r: requests.Response) -> bool:
            return r.status_code == 200 and r.json() == {"stored": 1, "duplicates": 0, "quarantined": 0}

        def duplicate(r: requests.Response) -> bool:
            return r.status_code == 200 and r.json() == {"stored": 0, "duplicates": 1, "quarantined": 0}

        timed(healthz, ok, WARMUP)
        timed(post(warmup), new, WARMUP)
        baseline = timed(healthz, ok, N)
        stored = timed(post(messages), new, N)
        repeated = timed(post(messages), duplicate, N)

        print(f"\nwebhook latency, {N} sequential requests each, daphne + SQLite (WAL), one keep-alive connection:")
        base_p50 = report("GET /healthz (baseline)", baseline)
        new_p50 = report("webhook, new message", stored)
        dup_p50 = report("webhook, duplicate", repeated)
        print(f"  p50 ratio to baseline: new {new_p50 / base_p50:.1f}x, duplicate {dup_p50 / base_p50:.1f}x")
    finally:
        assert hub.terminate() == 0, hub.log()[-3000:]
