"""CPU seconds used during a load run by each party sharing the machine's cores.

The benchmark's client runs on the same 2 cores as the server it measures;
whatever CPU it uses, the server cannot. :class:`CpuMeter` reads, before and
after a run, the CPU time (user + system) of this process (the load
generator), of the web processes (``shopcrier-hub serve`` and its
``--workers`` children) and of the PostgreSQL backends serving the benchmark's
database (their process title names it), from ``/proc`` (Linux).
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` (all its threads), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # after "pid (comm)": state is field 0, utime field 11, stime field 12
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL server processes connected to ``database`` (their title: ``postgres: … user database host …``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found.append(int(entry.name))
    return found


@dataclass
class Usage:
    """CPU seconds each party used during one run of ``wall`` seconds."""

    wall: float
    client: float
    server: float
    database: float

    def cores(self, seconds: float) -> float:
        return seconds / self.wall if self.wall else 0.0

    def line(self, requests: int) -> str:
        per = 1000 / requests if requests else 0.0
        return (f"      CPU: client {self.client:5.2f} s ({self.cores(self.client):4.2f} cores, "
                f"{self.client * per:5.2f} ms/req)   web {self.server:5.2f} s ({self.cores(self.server):4.2f} cores, "
                f"{self.server * per:5.2f} ms/req)   PostgreSQL {self.database:5.2f} s ({self.database * per:5.2f} ms/req)")


class CpuMeter:
    """``start()`` before a run, ``stop(wall)`` after it: the :class:`Usage` in between."""

    def __init__(self, server_pid: int, database: str | None) -> None:
        self.server_pid = server_pid
        self.database = database
        self._before: tuple[float, dict[int, float], dict[int, float]] = (0.0, {}, {})

    def _self(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def _read(self, pids: list[int]) -> dict[int, float]:
        return {pid: cpu for pid in pids if (cpu := _cpu_of(pid)) is not None}

    def _snapshot(self) -> tuple[float, dict[int, float], dict[int, float]]:
        backends = postgres_backends(self.database) if self.database else []
        return self._self(), self._read(process_tree(self.server_pid)), self._read(backends)

    def start(self) -> None:
        self._before = self._snapshot()

    def stop(self, wall: float) -> Usage:
        client, server, database = self._snapshot()
        before_client, before_server, before_database = self._before

        def used(after: dict[int, float], before: dict[int, float]) -> float:
            # a process born during the run started from 0; one that ended took its figure with it
            return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())

        return Usage(wall, client - before_client, used(server, before_server), used(database, before_database))
