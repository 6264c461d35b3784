"""For the end-to-end acknowledgement tests: the hub's database on SQLite or PostgreSQL, read
with plain SQL from the test; a broker that never saves on its own, so a SIGKILL loses all it
holds in memory (the worst case the guarantee must survive)."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from mqtt.broker import BrokerConfig, Mosquitto, free_port
from tests.processes import hub_command, hub_env
from tests.test_intake_postgres import pg_database  # noqa: F401  (the fixture)

__all__ = ["pg_database"]


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The hub's DATABASE_URL: a file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        (tmp_path / "hub").mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{tmp_path / 'hub' / 'hub.sqlite3'}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def forgetful_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """Persistence on, but no autosave for an hour: a SIGKILL loses every queued message and session."""
    mosquitto = Mosquitto(BrokerConfig(port=free_port(), data_dir=tmp_path / "broker",
                                       autosave_on_changes=False, autosave_interval=3600))
    mosquitto.start()
    try:
        yield mosquitto
    finally:
        mosquitto.stop()


def sql(url: str, query: str) -> list[tuple[Any, ...]]:
    """Rows of ``query`` against the hub's database, whichever it is."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as db:
            return list(db.execute(query).fetchall())
    with psycopg.connect(url) as pg:
        return list(pg.execute(query.encode()).fetchall())


def count(url: str, query: str) -> int:
    return int(sql(url, query)[0][0])


def count_pair(url: str, query: str) -> tuple[int, int]:
    row = sql(url, query)[0]
    return int(row[0]), int(row[1])


def sql_one(url: str, query: str) -> str:
    return str(sql(url, query)[0][0])


def prepared_hub(tmp_path: Path, broker_url: str, database_url: str, setup: str = "") -> dict[str, str]:
    """Migrate the hub's database, run ``setup`` in its shell; the environment for its commands."""
    env = hub_env(tmp_path / "hub", broker_url, {"DATABASE_URL": database_url})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    if setup:
        subprocess.run(hub_command("shell", "-c", setup), env=env, check=True, timeout=60)
    return env


def enrol(node_id: str, dept: str = "orders") -> str:
    """Shell code registering a speaker of ``dept`` (the broker here is open: no credential needed)."""
    return (
        "from hub.org.models import SpeakerNode\n"
        "from tests.attention_helpers import department\n"
        f"SpeakerNode.objects.create(node_id={node_id!r}, department=department({dept!r}))\n"
    )


def announce(n: int, dept: str = "orders", minutes_left: float = 60.0) -> str:
    """Shell code storing ``n`` messages, each announced on ``dept``'s topic, expiring in ``minutes_left``."""
    return (
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from tests.attention_helpers import announced\n"
        f"at = timezone.now() - timedelta(minutes=60 - {minutes_left})\n"
        f"for i in range({n}):\n"
        f"    announced(f'客户{{i}}提交了订单{{10000 + i}}', dept={dept!r}, at=at)\n"
    )
