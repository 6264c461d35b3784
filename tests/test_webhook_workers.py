"""``shopcrier-hub serve --workers N``: N daphne processes on one port share the webhooks (each
stored once), and SIGTERM to the command stops them all."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psycopg
import pytest

from tests.ack_helpers import pg_database  # noqa: F401  (the fixture)
from tests.processes import wait_until
from tests.webhook_load import fresh_messages, load, prepare, serve, webhook_sender

pytestmark = pytest.mark.e2e

CLIENTS = 16


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_two_web_processes_on_one_port_share_the_webhooks_and_stop_together(
    tmp_path: Path, pg_database: str,  # noqa: F811  (the fixture)
) -> None:
    env = prepare(tmp_path, pg_database)
    web, base = serve(env, tmp_path, workers=2)
    try:
        workers = children(web.process.pid)
        assert len(workers) == 2, workers
        messages = fresh_messages(CLIENTS * 6, seed=41)
        run = load(webhook_sender(base, messages), CLIENTS, len(messages))  # each client its own connection
        assert run.errors == [], run.errors[:5]
        with psycopg.connect(pg_database) as db:
            stored = db.execute("SELECT count(*) FROM intake_message").fetchone()
            served_by = db.execute(
                "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name LIKE 'shopcrier-web-%%'").fetchall()
        assert stored is not None and stored[0] == len(messages)
        assert {name for (name,) in served_by} == {f"shopcrier-web-{pid}" for pid in workers}  # both took requests
    finally:
        code = web.terminate()
    assert code == 0, web.log()[-3000:]
    assert wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 15, 0.1)


def test_when_one_web_process_dies_the_command_stops_the_other_and_fails(tmp_path: Path) -> None:
    (tmp_path / "hub").mkdir(parents=True, exist_ok=True)
    env = prepare(tmp_path, f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite3'}")
    web, _ = serve(env, tmp_path, workers=2)
    try:
        workers = children(web.process.pid)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        assert wait_until(lambda: web.process.poll() is not None, 20, 0.1), "the command kept running"
        assert web.process.returncode == 1
        assert wait_until(lambda: not Path(f"/proc/{workers[1]}").exists(), 15, 0.1)
    finally:
        if web.alive():
            web.terminate()
