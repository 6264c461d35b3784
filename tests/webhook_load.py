"""Many clients POSTing signed webhooks to a real ``shopcrier-hub serve`` at once.

Used by the concurrency test (zero errors, bounded connections) and the
benchmarks (throughput, p50/p99 beside ``GET /healthz``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from hub.simulator.generator import Generator
from mqtt.broker import free_port
from tests.processes import Proc, hub_command, hub_env, wait_until

SECRET = "load-webhook-secret"
SECRET_ENV = "LOAD_WEBHOOK_SECRET"


def signed(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(int(time.time()))  # the hub refuses a signature more than 300 s from its clock
    digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-ShopCrier-Timestamp": stamp, "X-ShopCrier-Signature": f"sha256={digest}"}


def prepare(tmp_path: Path, database_url: str, broker_url: str = "mqtt://127.0.0.1:1",
            extra: dict[str, str] | None = None) -> dict[str, str]:
    """A migrated hub database with source ``shop`` taking signed webhooks; the environment to run it."""
    env = hub_env(tmp_path / "hub", broker_url, {"DATABASE_URL": database_url, SECRET_ENV: SECRET, **(extra or {})})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    subprocess.run(
        hub_command("source", "shop", "--url", "http://127.0.0.1:1/x", "--adapter", "generic", "--interval", "1h"),
        env=env, check=True, timeout=60, stdout=subprocess.DEVNULL,
    )
    set_secret = (
        "from hub.intake.models import Source; "
        f"Source.objects.filter(name='shop').update(webhook={{'secret_env': '{SECRET_ENV}'}})"
    )
    subprocess.run(hub_command("shell", "-c", set_secret), env=env, check=True, timeout=60, stdout=subprocess.DEVNULL)
    return env


def serve(env: dict[str, str], log_dir: Path, name: str = "serve", port: int | None = None,
          workers: int = 1) -> tuple[Proc, str]:
    """``shopcrier-hub serve`` on ``port`` (default a free one) with ``workers`` processes, once
    ``/healthz`` answers; the process and its base URL."""
    port = port or free_port()
    web = Proc(name, hub_command("serve", f"127.0.0.1:{port}", "--no-collectstatic", "--workers", str(workers)),
               {**env, "SHOPCRIER_DASHBOARD_FOLLOW_MQTT": "0"}, log_dir)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code in (200, 503)
        except requests.ConnectionError:
            return False

    assert wait_until(up, 90, 0.1), web.log()[-3000:]
    return web, base


@dataclass
class Run:
    """What one load run saw: each request's seconds, and every failure's description."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def p(self, q: int) -> float:
        ms = sorted(s * 1000 for s in self.latencies)
        # inclusive: a percentile never lies beyond the slowest request seen (exclusive extrapolates)
        return statistics.quantiles(ms, n=100, method="inclusive")[q - 1] if len(ms) > 1 else ms[0]

    def line(self, name: str) -> str:
        return (f"  {name:<40} {len(self.latencies) / self.wall:7.1f} req/s   p50 {self.p(50):8.1f} ms   "
                f"p99 {self.p(99):8.1f} ms   max {max(self.latencies) * 1000:8.1f} ms   errors {len(self.errors)}")


def webhook_sender(base: str, messages: list[dict[str, Any]]) -> Callable[[requests.Session, int], str | None]:
    """Sends message ``i`` as a new webhook; returns what went wrong, or None."""

    def send(session: requests.Session, i: int) -> str | None:
        body, headers = signed(messages[i])
        r = session.post(f"{base}/hooks/shop/", data=body, headers=headers, timeout=60)
        if r.status_code != 200 or r.json().get("stored") != 1:
            return f"HTTP {r.status_code}: {r.text[:200]}"
        return None

    return send


def healthz_sender(base: str) -> Callable[[requests.Session, int], str | None]:
    def send(session: requests.Session, i: int) -> str | None:
        r = session.get(f"{base}/healthz", timeout=60)
        return None if r.status_code in (200, 503) else f"HTTP {r.status_code}: {r.text[:200]}"

    return send


def load(send: Callable[[requests.Session, int], str | None], clients: int, total: int) -> Run:
    """``total`` requests from ``clients`` threads at once (each its own keep-alive connection)."""
    run = Run()
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                problem = send(session, i)
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
            took = time.perf_counter() - started
            with lock:
                run.latencies.append(took)
                if problem:
                    run.errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.wall = time.perf_counter() - started
    return run


def fresh_messages(n: int, seed: int) -> list[dict[str, Any]]:
    generator = Generator(seed=seed)
    messages = [generator.one() for _ in range(n)]
    assert len({m["id"] for m in messages}) == n
    return messages
