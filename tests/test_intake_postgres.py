"""Several hub processes on PostgreSQL: one poller per source, and another takes over when it dies."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from hub.simulator.server import SimulatorServer
from tests.postgres import postgres_database
from tests.processes import Proc, hub_command, hub_env, wait_until

pytestmark = pytest.mark.e2e

LOCK_SPACE = 0x5343504C


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    with postgres_database() as url:
        yield url


def lock_holders(url: str, source_id: int) -> list[str]:
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted",
            [LOCK_SPACE, source_id],
        ).fetchall()
    return [r[0] for r in rows]


def stored(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as db:
        row = db.execute("SELECT count(*), count(DISTINCT external_id) FROM intake_message").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_only_one_of_two_pollers_polls_a_source_and_the_other_takes_over_when_it_dies(
    tmp_path: Path, simulator: SimulatorServer, pg_database: str
) -> None:
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"DATABASE_URL": pg_database})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    subprocess.run(
        hub_command("source", "shop", "--adapter", "simulator", "--url", simulator.url, "--interval", "1s"),
        env=env, check=True, timeout=60,
    )
    with psycopg.connect(pg_database) as db:
        row = db.execute("SELECT id FROM intake_source WHERE name = 'shop'").fetchone()
    assert row is not None
    source_id = int(row[0])

    pollers = {p.process.pid: p for p in (Proc(f"poller-{i}", hub_command("poll"), env, tmp_path) for i in range(2))}
    try:
        expected = len({item["id"] for item in simulator.feed.since(0, len(simulator.feed))})
        assert wait_until(lambda: stored(pg_database)[0] == expected, 60), [p.log()[-1500:] for p in pollers.values()]
        holders = lock_holders(pg_database, source_id)
        assert len(holders) == 1, holders
        holder = pollers[int(holders[0].rsplit("-", 1)[1])]
        other = next(p for p in pollers.values() if p is not holder)
        # over a few more rounds, only the holder asks the platform
        simulator.feed.agents.clear()
        assert wait_until(lambda: sum(simulator.feed.agents.values()) >= 3, 30)
        assert set(simulator.feed.agents) == {f"ShopCrier/0.1 (pid {holder.process.pid})"}, simulator.feed.agents

        holder.kill()  # SIGKILL: its connection, and the lock, go with it
        simulator.feed.add({"id": "after-kill", "user": {"id": "u1", "name": "Anna"}, "content": "Anna placed order #77"})
        assert wait_until(lambda: stored(pg_database)[0] == expected + 1, 60), [p.log()[-1500:] for p in pollers.values()]
        assert lock_holders(pg_database, source_id) == [f"shopcrier-hub-{other.process.pid}"]
        assert stored(pg_database) == (expected + 1, expected + 1)
    finally:
        for p in pollers.values():
            if p.alive():
                assert p.terminate() == 0
