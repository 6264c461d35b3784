"""Running long-lived workers: a stop event that SIGTERM and SIGINT set."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from django.db import connections

log = logging.getLogger(__name__)


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so loops finish their step and exit cleanly."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def run_threads(workers: dict[str, Callable[[threading.Event], None]], stop: threading.Event) -> None:
    """Run each worker in its own thread until ``stop``; if one dies, stop them all."""

    def wrap(name: str, work: Callable[[threading.Event], None]) -> Callable[[], None]:
        def target() -> None:
            try:
                work(stop)
            except BaseException:
                log.exception("worker %s died; stopping the hub", name)
                stop.set()
            finally:
                connections.close_all()

        return target

    threads = [threading.Thread(target=wrap(name, work), name=name, daemon=True) for name, work in workers.items()]
    for thread in threads:
        thread.start()
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(timeout=15)
