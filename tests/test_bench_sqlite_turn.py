"""Benchmark: two processes' writers on one SQLite file, with and without the writer's turn (hub/sqlite_fair).

Two processes, 8 threads each (tests/sqlite_turn_stress.py), write for 8 s as
fast as the lock lets them, once through ``hub.sqlite_fair`` and once through
Django's plain SQLite engine (they meet in SQLite's busy handler). Prints each
process's writes and its wait for ``BEGIN`` (p50, p99, max) and the CPU both
used; nothing is asserted but that every write succeeded.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.bench


@pytest.mark.parametrize("engine", ["hub.sqlite_fair", "django.db.backends.sqlite3"])
def test_bench_two_processes_writing_one_sqlite_file(tmp_path: Path, engine: str) -> None:
    database = tmp_path / "hub.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE writes (id INTEGER PRIMARY KEY, tag TEXT)")
    start = time.time() + 2  # both import Django first, then begin together
    script = str(REPO / "tests" / "sqlite_turn_stress.py")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = os.times()
    processes = [subprocess.Popen([sys.executable, script, str(database), engine, "8", "8", str(start),
                                   str(tmp_path / f"waits{n}.json")], env=env) for n in range(2)]
    assert [p.wait(120) for p in processes] == [0, 0]
    after = os.times()
    print(f"\ntwo processes x 8 threads writing one SQLite file for 8 s, {engine}:")
    for n in range(2):
        waits = sorted(json.loads((tmp_path / f"waits{n}.json").read_text()))
        q = statistics.quantiles(waits, n=100, method="inclusive")
        print(f"  process {n}: {len(waits):5} writes   wait for BEGIN p50 {1000 * q[49]:6.1f} ms"
              f"   p99 {1000 * q[98]:7.1f} ms   max {1000 * waits[-1]:7.1f} ms")
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    print(f"  CPU of both: {cpu:.2f} s; load average {os.getloadavg()[0]:.1f}")
