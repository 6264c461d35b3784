"""Webhooks under concurrency: every request answered; on PostgreSQL, connections bounded.

Before pooling, the web process under daphne kept a persistent connection
per request thread: at 32 clients PostgreSQL ran out of connections and
webhooks failed, for every hub process. Now a web process draws from a pool
of at most ``SHOPCRIER_DB_POOL_SIZE`` connections.
"""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from tests.ack_helpers import pg_database  # noqa: F401  (the fixture)
from tests.webhook_load import fresh_messages, load, prepare, serve, webhook_sender

pytestmark = pytest.mark.e2e

CLIENTS = 32
POOL = 6


def web_connections(url: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'shopcrier-web-%%'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_32_concurrent_webhook_clients_on_postgresql_all_succeed_within_a_bounded_pool(
    tmp_path: Path, pg_database: str,  # noqa: F811  (the fixture)
) -> None:
    env = prepare(tmp_path, pg_database, extra={"SHOPCRIER_DB_POOL_SIZE": str(POOL)})
    web, base = serve(env, tmp_path)
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            seen.append(web_connections(pg_database))

    watcher = threading.Thread(target=watch)
    try:
        messages = fresh_messages(CLIENTS * 10, seed=17)
        watcher.start()
        run = load(webhook_sender(base, messages), CLIENTS, len(messages))
        done.set()
        watcher.join()
        assert run.errors == [], run.errors[:5]
        with psycopg.connect(pg_database) as db:
            row = db.execute("SELECT count(*) FROM intake_message").fetchone()
        assert row is not None and row[0] == len(messages)
        assert seen and max(seen) <= POOL, seen
        assert max(seen) > 1, seen  # the load did run requests side by side
    finally:
        done.set()
        assert web.terminate() == 0, web.log()[-3000:]


def test_32_concurrent_webhook_clients_on_sqlite_all_succeed(tmp_path: Path) -> None:
    env = prepare(tmp_path, f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite3'}")
    web, base = serve(env, tmp_path)
    try:
        messages = fresh_messages(CLIENTS * 5, seed=19)
        run = load(webhook_sender(base, messages), CLIENTS, len(messages))
        assert run.errors == [], run.errors[:5]
    finally:
        assert web.terminate() == 0, web.log()[-3000:]
