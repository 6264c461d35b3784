"""Benchmark: intake throughput from a large simulator backlog (``make bench``).

Prints messages stored per second by ``shopcrier-hub poll`` (store once +
classify + route + outbox rows, each page one transaction) on SQLite and on
PostgreSQL, beside the rate at which the same backlog can merely be fetched
and parsed over HTTP (the baseline: what intake would cost with no database).
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
import requests

from hub.simulator.generator import Generator
from hub.simulator.server import SimulatorServer
from tests.processes import Proc, hub_command, hub_env, wait_until
from tests.test_intake_postgres import pg_database  # noqa: F401  (fixture)

pytestmark = pytest.mark.bench

BACKLOG = 10_000


def fill(simulator: SimulatorServer) -> int:
    generator = Generator(seed=11)
    for _ in range(BACKLOG):
        simulator.feed.add(generator.one())
    return len({item["id"] for item in simulator.feed.since(0, len(simulator.feed))})


def fetch_rate(url: str, total: int) -> float:
    """Items a second fetched and parsed page by page, storing nothing."""
    session = requests.Session()
    started = time.perf_counter()
    since, seen = 0, 0
    while True:
        items = session.get(url, params={"since": since}, timeout=10).json()["data"]["items"]
        if not items:
            break
        seen += len(items)
        since = items[-1]["seq"]
    assert seen >= total
    return seen / (time.perf_counter() - started)


def intake_rate(tmp_path: Path, env: dict[str, str], url: str, total: int, count: "CountFn") -> float:
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    subprocess.run(
        hub_command("source", "shop", "--adapter", "simulator", "--url", url, "--interval", "1s"),
        env=env, check=True, timeout=60,
    )
    poller = Proc("poller", hub_command("poll"), env, tmp_path)
    try:
        assert wait_until(lambda: count() > 0, 60, 0.01)
        started, first = time.perf_counter(), count()
        assert wait_until(lambda: count() >= total, 600, 0.05), poller.log()[-2000:]
        elapsed = time.perf_counter() - started
    finally:
        assert poller.terminate() == 0
    return (total - first) / elapsed


from collections.abc import Callable  # noqa: E402

CountFn = Callable[[], int]


def test_bench_intake_throughput_sqlite(tmp_path: Path, simulator: SimulatorServer) -> None:
    total = fill(simulator)
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1")
    db = tmp_path / "hub" / "hub.sqlite3"

    def count() -> int:
        with sqlite3.connect(db, timeout=30) as c:
            return int(c.execute("SELECT count(*) FROM intake_message").fetchone()[0])

    baseline = fetch_rate(simulator.url, total)
    stored = intake_rate(tmp_path, env, simulator.url, total, count)
    print(f"\nintake (SQLite): {stored:,.0f} messages stored/s; fetch+parse alone {baseline:,.0f}/s; ratio {stored / baseline:.2f}")


def test_bench_intake_throughput_postgres(tmp_path: Path, simulator: SimulatorServer, pg_database: str) -> None:  # noqa: F811
    total = fill(simulator)
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"DATABASE_URL": pg_database})

    def count() -> int:
        with psycopg.connect(pg_database) as c:
            row = c.execute("SELECT count(*) FROM intake_message").fetchone()
        return int(row[0]) if row else 0

    baseline = fetch_rate(simulator.url, total)
    stored = intake_rate(tmp_path, env, simulator.url, total, count)
    print(f"\nintake (PostgreSQL): {stored:,.0f} messages stored/s; fetch+parse alone {baseline:,.0f}/s; ratio {stored / baseline:.2f}")
