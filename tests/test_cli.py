"""Both programs, run as a user runs them: ``--version`` prints ShopCrier's version (not
Django's, not an error) and a bare ``shopcrier-hub`` lists ShopCrier's own commands first."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import django
import pytest

from tests.paths import REPO


def run(module: str, *args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPCRIER_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", module, *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("module", "program"), [("hub.manage", "shopcrier-hub"), ("node", "shopcrier-node")])
@pytest.mark.parametrize("flag", ["--version"])
def test_version_prints_shopcriers_version(tmp_path: Path, module: str, program: str, flag: str) -> None:
    result = run(module, flag, data=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{program} {version('shopcrier')} (ShopCrier)"
    assert result.stdout.strip() != django.get_version()


def test_the_hub_version_command_says_the_same(tmp_path: Path) -> None:
    assert run("hub.manage", "version", data=tmp_path).stdout.strip() == f"shopcrier-hub {version('shopcrier')} (ShopCrier)"


@pytest.mark.parametrize("args", [[], ["help"], ["--help"]])
def test_the_hub_lists_its_own_commands_before_djangos(tmp_path: Path, args: list[str]) -> None:
    result = run("hub.manage", *args, data=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    own = lines.index("[shopcrier]")
    first_django = next(i for i, line in enumerate(lines) if line.startswith("[") and line != "[shopcrier]")
    assert own < first_django
    listed = [line.split()[0] for line in lines[own + 1:first_django] if line.startswith("    ")]
    for command in ("load", "dump", "run", "serve", "fleet", "monitor", "poll", "publish"):
        assert command in listed
    assert "migrate" not in listed and "runserver" not in listed
    run_line = next(line for line in lines if line.split()[:1] == ["run"])
    assert "workers" in run_line  # each own command says what it is for


def test_the_command_only_listing_puts_own_commands_first(tmp_path: Path) -> None:
    names = run("hub.manage", "help", "--commands", data=tmp_path).stdout.split()
    assert names.index("run") < names.index("check") and names.index("load") < names.index("migrate")
