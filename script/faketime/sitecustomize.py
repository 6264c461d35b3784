"""Loaded by every Python process of a faketime test run (script/faketime-tests puts this folder on PYTHONPATH).

libfaketime 0.9.10 (Debian 12) breaks ``time.sleep`` when the monotonic clock
is left real (FAKETIME_DONT_FAKE_MONOTONIC=1): CPython sleeps with
``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)``, which the library rewrites
into an invalid request (EINVAL on every call). Faking the monotonic clock
instead hangs every timed lock wait, which the library does not intercept. So
the monotonic clock stays real and ``time.sleep`` waits on an event, whose
timed wait uses the (real) monotonic clock directly.
"""

import threading
import time
from typing import SupportsIndex

_never = threading.Event()


def _sleep(seconds: float | SupportsIndex) -> None:
    length = float(seconds) if isinstance(seconds, (int, float)) else float(seconds.__index__())
    if length < 0:
        raise ValueError("sleep length must be non-negative")
    _never.wait(length)


time.sleep = _sleep
