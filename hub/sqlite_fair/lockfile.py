"""The writer's turn across processes: an exclusive ``flock`` on a file beside the database.

:func:`take` opens the lock file (``<database>-writer.lock``, created on first
use, never removed: it holds nothing) and locks it; :func:`give` unlocks and
closes it. Each turn is its own open file description, so two turns never
share a lock, even in one process (``flock`` locks belong to the open file
description, not to the process). The kernel drops the lock when its holder
dies, however it dies: a SIGKILLed writer frees the turn at once.

A waiter blocks in the kernel, which wakes it the moment the holder unlocks
(no polling). A blocking ``flock`` takes no timeout (and Python retries it when a
signal interrupts it; signals reach only the main thread), so the wait runs
in a thread of its own and the caller waits for that thread up to its
timeout; a caller that gives up leaves the thread to take the lock whenever
it comes and drop it at once. That thread is only started when the lock is
held elsewhere (the first try never blocks).

Measured (docs/performance.md, ``tests/test_bench_sqlite_turn.py``): an
uncontended turn costs ~5 µs (open, lock, unlock, close); a contended wait
~80 µs more CPU for its thread. Two processes of 8 writer threads waited
p99 27-36 ms for their turn (55-83 ms in two runs of nine, under others'
load), against 26-31 ms with a blocking ``flock`` in the caller's own thread,
which cannot time out. Polling with ``LOCK_NB`` (50 µs growing to 1 ms) was
less fair: the releasing process's next thread tries at once while the other
process's poller sleeps, the race SQLite's busy handler loses, only finer
grained: p99 53-111 ms, slowest 102-216 ms.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading

log = logging.getLogger(__name__)

_unusable: set[str] = set()  # lock files already logged as unusable


def take(path: str, timeout: float) -> int | None:
    """A descriptor holding the exclusive lock on ``path`` (pass it to :func:`give`),
    or None after ``timeout`` seconds without it, or when the file cannot be opened."""
    try:
        # read-only is enough to lock: a process of another user that can read the file takes turns too
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if path not in _unusable:
            _unusable.add(path)
            log.warning("writers go without the cross-process turn: cannot open %s: %s", path, exc)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    except BaseException:
        os.close(fd)
        raise
    wait = _Wait(fd)
    try:
        threading.Thread(target=wait.run, name="sqlite-writer-turn", daemon=True).start()
    except BaseException:
        os.close(fd)
        raise
    return fd if wait.outcome(timeout) else None


def give(fd: int) -> None:
    """Unlock first: a copy of the descriptor (a fork) would otherwise keep the lock."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class _Wait:
    """One blocking ``flock`` on ``fd``, in its own thread, that the caller may stop waiting for.

    The descriptor is the caller's while it waits and after it is told the
    outcome; once the caller has given up it is this thread's, to unlock and
    close when the lock finally comes."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._mutex = threading.Lock()
        self._done = threading.Event()
        self._held = False
        self._given_up = False

    def run(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            held = True
        except OSError:
            held = False
        with self._mutex:
            if not self._given_up:
                self._held = held
                self._done.set()
                return
        if held:
            give(self._fd)
        else:
            os.close(self._fd)

    def outcome(self, timeout: float) -> bool:
        """True when the lock is held for the caller; False when it is not (the
        descriptor is then closed, now or by this thread once its wait ends)."""
        self._done.wait(timeout)
        with self._mutex:
            if not self._done.is_set():
                self._given_up = True
                return False
        if not self._held:
            os.close(self._fd)
        return self._held
