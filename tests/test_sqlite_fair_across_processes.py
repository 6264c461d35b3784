"""Writers in different processes take the SQLite writer's turn in turn (hub/sqlite_fair/lockfile.py).

Real processes (tests/sqlite_writer.py) writing one SQLite file through the
hub's engine. That a writer waits on the turn, not in SQLite's busy handler,
is read from the kernel's own table of file locks (``/proc/locks``: a waiter
shows as ``->``); timings are only checked against bounds far from any wait
the test could confuse them with.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.processes import wait_until

PATIENT = 60.0  # a writer's timeout far above every bound below: reaching it would fail the test


class Writer:
    """tests/sqlite_writer.py as a child process: send it commands, read its events."""

    def __init__(self, database: str, timeout: float, cwd: Path, create: bool = False) -> None:
        argv = [sys.executable, str(REPO / "tests" / "sqlite_writer.py"), database, str(timeout)]
        self.process = subprocess.Popen(
            argv + (["--create"] if create else []), cwd=cwd, text=True, bufsize=1,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
        )
        self.pid = self.process.pid
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.expect("ready", 30)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def expect(self, event: str, timeout: float) -> tuple[float, str]:
        """The time and detail of ``event``, skipping others; fails after ``timeout`` seconds."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"pid {self.pid}: no {event!r} in {timeout} s; saw {self.seen}") from None
            self.seen.append(line)
            name, _, rest = line.partition(" ")
            if name == event:
                at, _, detail = rest.partition(" ")
                return float(at), detail

    def has_said(self, event: str) -> bool:
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return any(line.split(" ", 1)[0] == event for line in self.seen)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def flocks(pid: int) -> tuple[bool, bool]:
    """Whether process ``pid`` holds a ``flock``, and whether it waits for one (from ``/proc/locks``)."""
    holds = waits = False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        waiting = fields[1] == "->"
        kind, owner = (fields[2], fields[5]) if waiting else (fields[1], fields[4])
        if kind == "FLOCK" and owner == str(pid):
            waits, holds = waits or waiting, holds or not waiting
    return holds, waits


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "hub.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE writes (id INTEGER PRIMARY KEY, tag TEXT)")
    return str(path)


@pytest.fixture
def writers() -> Iterator[list[Writer]]:
    started: list[Writer] = []
    yield started
    for writer in started:
        writer.stop()


def tags(database: str) -> list[str]:
    with sqlite3.connect(database) as db:
        return [tag for (tag,) in db.execute("SELECT tag FROM writes ORDER BY id")]


def a_holds_and_b_waits(database: str, writers: list[Writer], tmp_path: Path) -> tuple[Writer, Writer]:
    """Writer a in a write transaction, writer b (another process) blocked on the turn in the kernel."""
    a = Writer(database, PATIENT, tmp_path)
    b = Writer(database, PATIENT, tmp_path)
    writers += [a, b]
    a.send("hold a")
    a.expect("holding", 30)
    assert flocks(a.pid) == (True, False)
    assert Path(f"{database}-writer.lock").exists()
    b.send("write b")
    b.expect("asking", 30)
    assert wait_until(lambda: flocks(b.pid) == (False, True), 10), Path("/proc/locks").read_text()
    return a, b


def test_a_writer_in_another_process_waits_for_the_turn_in_the_kernel_and_goes_in_when_the_holder_commits(
    database: str, writers: list[Writer], tmp_path: Path,
) -> None:
    a, b = a_holds_and_b_waits(database, writers, tmp_path)
    assert not b.has_said("began")  # not in SQLite's busy loop either: it has not sent BEGIN

    a.send("commit")
    committing, _ = a.expect("committing", 30)
    began, _ = b.expect("began", 30)
    committed, _ = a.expect("committed", 30)
    b.expect("wrote", 30)
    assert began >= committing
    assert began - committing < 10, "b went in when its timeout ran out, not when a committed"
    assert tags(database) == ["a", "b"]
    print(f"\nb began {1000 * (began - committing):.1f} ms after a began committing "
          f"({1000 * (committed - committing):.1f} ms until a's commit returned)")
    assert wait_until(lambda: flocks(a.pid) == flocks(b.pid) == (False, False), 10)


def test_a_holder_killed_mid_transaction_frees_the_turn_at_once(
    database: str, writers: list[Writer], tmp_path: Path,
) -> None:
    a, b = a_holds_and_b_waits(database, writers, tmp_path)
    os.kill(a.pid, signal.SIGKILL)
    a.process.wait()
    b.expect("wrote", 10)  # the kernel dropped a's lock: b did not wait out its 60 s
    assert tags(database) == ["b"]  # a's insert died with it


def test_a_writer_that_waited_past_its_timeout_goes_ahead_and_its_abandoned_wait_lets_the_turn_go(
    database: str, writers: list[Writer], tmp_path: Path,
) -> None:
    a = Writer(database, PATIENT, tmp_path)
    b = Writer(database, 0.5, tmp_path)
    writers += [a, b]
    a.send("hold a")
    a.expect("holding", 30)

    b.send("write b")
    _, error = b.expect("failed", 30)  # half a second for the turn, then half a second of busy handler
    assert "locked" in error
    assert flocks(b.pid) == (False, True)  # the wait it gave up on is still queued in the kernel

    a.send("commit")
    a.expect("committed", 30)
    # b's abandoned wait gets the lock and drops it at once: b holds nothing, and a gets in again
    assert wait_until(lambda: flocks(b.pid) == (False, False), 10), Path("/proc/locks").read_text()
    a.send("write c")
    a.expect("wrote", 10)
    b.send("write d")
    b.expect("wrote", 10)
    assert tags(database) == ["a", "c", "d"]


@pytest.mark.parametrize("name", [":memory:", "file:writes?mode=memory&cache=shared"])
def test_an_in_memory_database_writes_without_a_lock_file(writers: list[Writer], tmp_path: Path, name: str) -> None:
    writer = Writer(name, PATIENT, tmp_path, create=True)
    writers.append(writer)
    writer.send("write x")
    writer.expect("wrote", 30)
    assert list(tmp_path.iterdir()) == []
    assert flocks(writer.pid) == (False, False)
