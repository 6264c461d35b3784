"""A new user's first commands, run as the real program on a fresh data directory:
commands that need the database say in one line that it is not set up and how to set it
up, never a traceback; after ``migrate`` the same commands work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

CONFIG = '[[subsystems]]\nslug = "shop"\nname = "网店"\n'


def hub(data: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPCRIER_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "hub.manage", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "command",
    [
        ["load", "CONFIG"],
        ["dump"],
        ["classify", "客户张三提交了订单10023"],
        ["createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"],
    ],
)
def test_a_command_before_migrate_says_in_one_line_to_run_migrate(tmp_path: Path, command: list[str]) -> None:
    config = tmp_path / "shop.toml"
    config.write_text(CONFIG, encoding="utf-8")
    done = hub(tmp_path / "data", *[str(config) if word == "CONFIG" else word for word in command])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "shopcrier-hub: the database is not set up yet: run `shopcrier-hub migrate` first "
        "(it creates the tables and the default configuration)"
    ]


def test_after_migrate_the_first_steps_work_in_the_documented_order(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_text(CONFIG, encoding="utf-8")
    data = tmp_path / "data"
    assert hub(data, "migrate").returncode == 0
    loaded = hub(data, "load", str(config))
    assert loaded.returncode == 0
    # no speaker is enrolled yet: load says which routes nobody hears, and nothing else goes wrong
    assert all(line.startswith("warning: route ") for line in loaded.stderr.splitlines()), loaded.stderr
    assert "subsystems: created shop" in loaded.stdout
    assert hub(data, "createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.com").returncode == 0
    classified = hub(data, "classify", "客户张三提交了订单10023")
    assert '"category": "order"' in classified.stdout


def test_an_unreachable_database_server_is_one_line_naming_it(tmp_path: Path) -> None:
    done = hub(tmp_path / "data", "dump", database_url="postgres://nobody@127.0.0.1:9/shopcrier")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("shopcrier-hub: cannot use the database (")
    assert "check DATABASE_URL and that the database server is running" in line


def test_help_needs_no_database(tmp_path: Path) -> None:
    done = hub(tmp_path / "data", "help", "load")
    assert done.returncode == 0 and "usage:" in done.stdout
