"""The web process's SQLite writers take their turns in the order they asked (hub/sqlite_fair)."""

from __future__ import annotations

import threading
import time

from hub.sqlite_fair.base import FifoLock
from tests.processes import wait_until


def test_waiting_writers_get_the_lock_in_the_order_they_asked() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []

    def writer(n: int) -> None:
        assert lock.acquire(timeout=30)
        order.append(n)
        lock.release()

    threads = []
    for n in range(8):
        t = threading.Thread(target=writer, args=(n,))
        t.start()
        threads.append(t)
        assert wait_until(lambda: len(lock._waiters) == n + 1, 10)  # queued before the next one asks
    lock.release()
    for t in threads:
        t.join(10)
    assert order == list(range(8))


def test_a_writer_that_waited_past_its_timeout_goes_ahead_without_its_turn_and_leaves_the_queue() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    started = time.monotonic()
    assert lock.acquire(timeout=0.05) is False
    assert time.monotonic() - started < 5
    assert not lock._waiters
    lock.release()
    assert lock.acquire(timeout=0.05)  # free again: the one that gave up holds nothing
