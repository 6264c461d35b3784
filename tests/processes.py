"""Starting ShopCrier's programs as real subprocesses, and stopping them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.paths import REPO


class Proc:
    """A child process whose output goes to a log file (read it when a test fails)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; returns the exit code (a hang is killed and fails loudly)."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.name} ignored SIGTERM for {timeout} s:\n{self.log()[-3000:]}") from None
        self._log.close()
        return code

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        self._log.close()


def hub_env(data_dir: Path, broker_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "SHOPCRIER_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'hub.sqlite3'}",
        "SHOPCRIER_MQTT_URL": broker_url,
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }


def hub_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "hub.manage", *args]


def node_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "node", "--config", str(config)]


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def enrol_nodes(env: dict[str, str], *node_ids: str, department: str = "orders", enabled: bool = True) -> None:
    """Register speakers in the hub's fleet registry (the hub hears only those), as ``fleet enroll`` does
    minus the broker credential. A disabled one is known but gets no config pushed, so its own routes stand."""
    ids = ", ".join(repr(n) for n in node_ids)
    code = (
        "from hub.org.models import Department, SpeakerNode\n"
        f"d = Department.objects.get(slug={department!r})\n"
        f"SpeakerNode.objects.bulk_create(SpeakerNode(node_id=n, department=d, enabled={enabled!r}) for n in [{ids}])\n"
    )
    subprocess.run(hub_command("shell", "-c", code), env=env, check=True, timeout=60, capture_output=True)
