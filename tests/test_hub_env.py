"""The hub's settings from the environment: strict, with errors that name the variable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hub import env


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("false", False), ("", False)])
def test_flags_read_the_usual_spellings(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("SHOPCRIER_DEBUG", raw)
    assert env.flag("SHOPCRIER_DEBUG") is value


def test_a_malformed_flag_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPCRIER_DEBUG", "maybe")
    with pytest.raises(env.EnvError, match="SHOPCRIER_DEBUG='maybe'"):
        env.flag("SHOPCRIER_DEBUG")


def test_the_database_defaults_to_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = env.database(tmp_path)
    assert (db["ENGINE"], db["NAME"]) == ("hub.sqlite_fair", str(tmp_path / "hub.sqlite3"))


def test_a_postgres_url_is_split_into_django_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://crier:p%40ss@db.local:6543/shop")
    db = env.database(tmp_path)
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql", "shop", "crier", "p@ss", "db.local", "6543",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://x/y", "scheme 'mysql'"), ("postgres://host:99999/db", "DATABASE_URL"), ("postgres://host/", "no database name"), ("sqlite://", "no database file")],
)
def test_a_bad_database_url_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, message: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(env.EnvError, match=message):
        env.database(tmp_path)


def test_a_secret_key_is_generated_once_and_kept_private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SHOPCRIER_SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert env.secret_key(tmp_path) == first and len(first) >= 50
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_a_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHOPCRIER_SECRET_KEY", "short")
    with pytest.raises(env.EnvError, match="at least 32"):
        env.secret_key(tmp_path)


def test_a_bad_broker_url_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPCRIER_MQTT_URL", "http://broker")
    with pytest.raises(env.EnvError, match="SHOPCRIER_MQTT_URL: broker URL must start with mqtt://"):
        env.broker()


def test_a_bad_base_topic_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPCRIER_BASE_TOPIC", "shop/#")
    with pytest.raises(env.EnvError, match="SHOPCRIER_BASE_TOPIC"):
        env.base_topic()


def test_the_hub_command_reports_a_configuration_error_instead_of_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "hub.manage", "check"],
        env={**os.environ, "SHOPCRIER_DATA_DIR": str(tmp_path), "SHOPCRIER_DEBUG": "perhaps"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "configuration error: SHOPCRIER_DEBUG='perhaps'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_public_url_defaults_to_this_machine_and_loses_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPCRIER_PUBLIC_URL", raising=False)
    assert env.public_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("SHOPCRIER_PUBLIC_URL", "https://hub.shop.example/crier/")
    assert env.public_url() == "https://hub.shop.example/crier"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("hub.example:8000", "must start with http:// or https://"),
        ("ftp://hub.example", "must start with http:// or https://"),
        ("http://", "no host"),
        ("http://hub.example:99999", "Port out of range"),
        ("https://admin:pw@hub.example", "must not hold credentials"),
        ("https://hub.example/?token=1", "no query or fragment"),
    ],
)
def test_a_malformed_public_url_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("SHOPCRIER_PUBLIC_URL", raw)
    with pytest.raises(env.EnvError, match="SHOPCRIER_PUBLIC_URL") as refused:
        env.public_url()
    assert message in str(refused.value) and "pw" not in str(refused.value)


def test_a_web_process_pools_its_postgresql_connections_and_workers_keep_one_per_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://hub@db.example:5433/shop")
    monkeypatch.setenv("SHOPCRIER_DB_POOL_SIZE", "5")
    web = env.database(tmp_path, web=True)
    assert web["CONN_MAX_AGE"] == 0
    assert web["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 5, "timeout": 10}
    worker = env.database(tmp_path)
    assert worker["CONN_MAX_AGE"] is None and "pool" not in worker["OPTIONS"]


def test_web_and_worker_processes_queue_their_sqlite_writers_on_one_turn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert env.database(tmp_path, web=True)["ENGINE"] == "hub.sqlite_fair"
    assert env.database(tmp_path)["ENGINE"] == "hub.sqlite_fair"


@pytest.mark.parametrize("raw", ["0", "lots", "101"])
def test_a_bad_pool_size_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://hub@db.example/shop")
    monkeypatch.setenv("SHOPCRIER_DB_POOL_SIZE", raw)
    with pytest.raises(env.EnvError, match="SHOPCRIER_DB_POOL_SIZE"):
        env.database(tmp_path, web=True)


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "7200"])
def test_a_bad_outbox_poll_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SHOPCRIER_OUTBOX_POLL", raw)
    with pytest.raises(env.EnvError, match="SHOPCRIER_OUTBOX_POLL"):
        env.seconds("SHOPCRIER_OUTBOX_POLL", 0.2)
