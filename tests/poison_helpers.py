"""A migrated hub database on SQLite or PostgreSQL, and the hub's real commands run against it.

The poison tests run every scenario on both databases: what one of them
refuses (PostgreSQL: a NUL, a ``varchar`` overflow) must be caught before the
transaction on both. Each test gets a fresh database (PostgreSQL: a randomly
named one, dropped afterwards; other engineers' tests share the server).
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import requests

from mqtt.broker import free_port
from tests.postgres import postgres_database as fresh_database
from tests.processes import Proc, enrol_nodes, hub_command, hub_env, wait_until

DATABASES = ["sqlite", "postgres"]


def postgres_database() -> contextlib.AbstractContextManager[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    return fresh_database("shopcrier_poison")


@dataclass
class HubDb:
    """One migrated hub database and the environment the hub's commands run in against it."""

    kind: str
    url: str
    env: dict[str, str]
    workdir: Path

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(hub_command(*args), env=self.env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self, name: str, *args: str) -> Proc:
        return Proc(name, hub_command(*args), self.env, self.workdir)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of ``sql`` (no parameters: the tests' SQL is literal), read beside the hub."""
        if self.kind == "sqlite":
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as db:
                return list(db.execute(sql).fetchall())
        with psycopg.connect(self.url) as pg:
            return list(pg.execute(sql).fetchall())

    def value(self, sql: str) -> Any:
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def enrol(self, *node_ids: str, department: str = "orders") -> None:
        enrol_nodes(self.env, *node_ids, department=department)

    @contextlib.contextmanager
    def web(self) -> Iterator[str]:
        """The hub's web side under daphne, as production runs it; yields its base URL."""
        port = free_port()
        daphne = Proc("daphne", [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                 "hub.asgi:application"], self.env, self.workdir)
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=1).status_code == 200
            except requests.ConnectionError:
                return False

        try:
            assert wait_until(up, 60, 0.1), daphne.log()[-3000:]
            yield base
        finally:
            daphne.terminate()


@contextlib.contextmanager
def hub_database(kind: str, workdir: Path, broker_url: str = "mqtt://127.0.0.1:1",
                 extra: dict[str, str] | None = None) -> Iterator[HubDb]:
    data = workdir / "hub"
    data.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{data / 'hub.sqlite3'}" if kind == "sqlite" else stack.enter_context(postgres_database())
        env = hub_env(data, broker_url, {"DATABASE_URL": url, **(extra or {})})
        hub = HubDb(kind, url, env, workdir)
        hub.manage("migrate", "-v0", timeout=180)
        yield hub
