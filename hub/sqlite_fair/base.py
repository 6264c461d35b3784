"""Django's SQLite backend with write transactions taken in arrival order, across processes.

SQLite lets one writer in at a time. Writers that find it busy sleep in
SQLite's busy handler and retry (1, 2, 5 … 100 ms apart), so under load a
late arrival often wins while an early one sleeps again: at 32 concurrent
webhooks the slowest waited seconds. With two web processes it was worse: the
process whose writer was asleep lost every race to the other, whose threads
began a new transaction microseconds after each commit, and starved for over
a second.

So a write transaction takes two turns before it sends ``BEGIN IMMEDIATE``:

1. its process's turn, :data:`WRITERS`: the process's threads queue first
   come, first served, handed over the moment the writer before commits;
2. the database's turn across processes (:mod:`hub.sqlite_fair.lockfile`): an
   exclusive ``flock`` on ``<database>-writer.lock``, taken only by the thread
   holding its process's turn, so each process has at most one thread waiting
   for it. The kernel wakes that waiter the moment the holder unlocks, while
   the holder's own next thread has yet to be handed its process's turn, so
   busy processes take the database in turns instead of racing for it.

Both are given back where the transaction ends: after the commit or rollback
returns, or when the connection closes; the kernel gives the lock file back
when a process dies. A writer that has waited the connection's ``timeout`` in
all goes ahead without its turn (and meets SQLite's own busy timeout), so
nothing waits for ever; one that timed out on its process's turn does not
touch the lock file (only the process's turn holder may).

Every hub process on SQLite uses this engine (hub.env): the web processes and
the workers (``run`` and the other commands). A writer that does not take the
turn meets the others only through the busy handler and loses to them, which
is how the outbox publisher, the poller and the rest of ``run`` were starved
under webhook load. The workers' threads (poller, publisher, escalator,
monitor, notifier, stats, metrics) each keep their own connection and take
their turns like request threads; none holds a transaction while it waits
for another thread's write, which would have waited on SQLite's lock anyway.

In-memory databases (``:memory:``, ``mode=memory``; Django's test database)
live in one process and have no file to lock; they get Django's plain
behaviour, without either turn: a test's transaction lasts the whole test,
and another thread's write there fails at once (SQLite's shared cache does
not wait) rather than after waiting a turn for its timeout.

Only writes in ``transaction.atomic`` take the turns (Django sends ``BEGIN``
for those); a statement in autocommit mode is a transaction of its own that
meets the others through the busy handler, as does any other program writing
the file (the ``sqlite3`` shell).
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from django.db.backends.sqlite3 import base

from hub.sqlite_fair import lockfile


class FifoLock:
    """A lock handed to its waiters in the order they asked."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: collections.deque[threading.Lock] = collections.deque()

    def acquire(self, timeout: float) -> bool:
        """True once held; False after ``timeout`` seconds without a turn."""
        with self._mutex:
            if not self._held and not self._waiters:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release(): held on our behalf
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over just as the wait ran out

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # the next in line holds it now
            else:
                self._held = False


WRITERS = FifoLock()


def lock_path(name: str) -> str:
    """The cross-process turn's lock file for the database ``name`` (a path or a ``file:`` URI)."""
    path = unquote(urlsplit(name).path) if name.startswith("file:") else name
    return f"{path}-writer.lock"


class DatabaseWrapper(base.DatabaseWrapper):
    _has_turn = False
    _turn_fd: int | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        self._has_turn = WRITERS.acquire(timeout)
        try:
            if self._has_turn:
                left = max(0.0, deadline - time.monotonic())
                self._turn_fd = lockfile.take(lock_path(str(self.settings_dict["NAME"])), left)
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._give_turn()
            raise

    def _give_turn(self) -> None:
        fd, self._turn_fd = self._turn_fd, None
        try:
            if fd is not None:
                lockfile.give(fd)  # first: the lock file, so the next process's waiter wakes
        finally:
            if self._has_turn:
                self._has_turn = False
                WRITERS.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._give_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._give_turn()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._give_turn()
