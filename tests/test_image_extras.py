"""The speaker installs with ``shopcrier[node]`` alone: node/ and mqtt/ never reach for the hub's stack."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path
from tests.paths import REPO

HUB_ONLY = ("django", "channels", "daphne", "psycopg")

# Run in a fresh interpreter: a finder placed first on sys.meta_path refuses the
# hub's packages, then every module of node/ and mqtt/ is imported.
BLOCKED_IMPORTS = """
import importlib, pkgutil, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"the node imported {{name}}, a hub-only package")
        return None
sys.meta_path.insert(0, Refuse())
import node, mqtt
names = []
for package in (node, mqtt):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(" ".join(names))
"""


def _requirements(section: str, key: str) -> list[str]:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    return [line.strip() for line in config[section][key].splitlines() if line.strip() and not line.startswith("#")]


def _names(requirements: list[str]) -> set[str]:
    return {req.split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip().lower() for req in requirements}


def test_every_node_and_mqtt_module_imports_with_the_hub_packages_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORTS.format(blocked=HUB_ONLY)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    on_disk = {_module(path) for package in ("node", "mqtt") for path in (REPO / package).rglob("*.py")} - {"node", "mqtt"}
    assert imported == on_disk


def _module(path: Path) -> str:
    """``node/normalise/zh.py`` → ``node.normalise.zh``; a package's ``__init__.py`` is the package."""
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_node_extra_brings_no_hub_package_and_the_hub_extra_brings_them_all() -> None:
    base = _names(_requirements("options", "install_requires"))
    node = _names(_requirements("options.extras_require", "node"))
    hub = _names(_requirements("options.extras_require", "hub"))
    assert not (base | node) & {"django", "channels", "daphne", "psycopg"}
    assert {"django", "channels", "daphne", "psycopg"} <= hub
    assert {"piper-tts", "sounddevice", "peewee", "numpy"} <= node


def test_the_makefile_installs_both_extras() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "-e '.[hub,node,test]'" in makefile
