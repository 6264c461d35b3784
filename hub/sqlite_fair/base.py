"""Django's SQLite backend with the process's write transactions taken in arrival order.

SQLite lets one writer in at a time. Threads that find it busy sleep in
SQLite's busy handler and retry (1, 2, 5 … 100 ms apart), so under load a
late arrival often wins while an early one sleeps again: at 32 concurrent
webhooks the slowest waited seconds. Here each thread of the process first
queues for :data:`WRITERS` (first come, first served, handed over the moment
the writer before commits) and only then sends ``BEGIN IMMEDIATE``; other
processes (the workers) still meet it through SQLite's busy timeout.

A wait longer than the connection's ``timeout`` goes ahead without its turn
(and meets SQLite's own timeout), so nothing waits for ever. The web process
uses this engine (hub.env); workers, with a few threads, do not need it.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

from django.db.backends.sqlite3 import base


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


class DatabaseWrapper(base.DatabaseWrapper):
    _has_turn = False

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        self._has_turn = WRITERS.acquire(timeout)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._give_turn()
            raise

    def _give_turn(self) -> None:
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
