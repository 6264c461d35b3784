"""SIGKILL the poller at arbitrary moments in a large batch: every message is still stored exactly once."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from hub.simulator.generator import Generator
from hub.simulator.server import SimulatorServer
from tests.processes import Proc, hub_command, hub_env, wait_until

pytestmark = pytest.mark.e2e

BACKLOG = 3000


def counts(db_path: Path) -> tuple[int, int, int, int]:
    """Messages, distinct platform ids, deliveries, messages without their deliveries."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        messages, distinct = db.execute("SELECT count(*), count(DISTINCT external_id) FROM intake_message").fetchone()
        deliveries = db.execute("SELECT count(*) FROM outbox_delivery").fetchone()[0]
        orphans = db.execute(
            "SELECT count(*) FROM intake_message m WHERE NOT EXISTS "
            "(SELECT 1 FROM outbox_delivery d WHERE d.message_id = m.id)"
        ).fetchone()[0]
        return messages, distinct, deliveries, orphans
    finally:
        db.close()


def test_a_poller_killed_mid_batch_again_and_again_stores_each_message_once(
    tmp_path: Path, simulator: SimulatorServer
) -> None:
    feed = simulator.feed
    already = len(feed)
    generator = Generator(seed=7)
    for _ in range(BACKLOG):
        feed.add(generator.one())
    expected = len({item["id"] for item in feed.since(0, len(feed))})
    assert len(feed) == already + BACKLOG

    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1")  # the poller never talks to the broker
    db_path = tmp_path / "hub" / "hub.sqlite3"
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
    subprocess.run(
        hub_command("source", "shop", "--adapter", "simulator", "--url", simulator.url, "--interval", "1s"),
        env=env, check=True, timeout=60,
    )
    rng = random.Random(3)
    kills = 0
    while counts(db_path)[0] < expected and kills < 6:
        poller = Proc(f"poller-{kills}", hub_command("poll"), env, tmp_path)
        before = counts(db_path)[0]
        # kill it at a random moment once it has made progress in this batch
        wait_until(lambda: counts(db_path)[0] > before, 60, 0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        poller.kill()
        kills += 1
    assert kills >= 3, "the backlog was taken too fast to interrupt; raise BACKLOG"

    final = Proc("poller-final", hub_command("poll"), env, tmp_path)
    try:
        assert wait_until(lambda: counts(db_path)[0] >= expected, 120, 0.2), final.log()[-2000:]
        time.sleep(1.5)  # another round: nothing more may arrive
    finally:
        assert final.terminate() == 0
    messages, distinct, deliveries, orphans = counts(db_path)
    assert (messages, distinct, orphans) == (expected, expected, 0)
    # each message has an event and at least one announcement, written with it
    assert deliveries >= 2 * expected
