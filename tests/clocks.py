"""Clocks for tests: time is an input, never read from the machine.

A test whose outcome could depend on the time of day, the date or a time zone
takes its time from one of these (or from a :class:`tests.attention_helpers.Clock`
it moves by hand) and carries ``@pytest.mark.clock``; ``make test`` runs those
tests again under libfaketime at fixed instants (``script/faketime-tests``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A Wednesday noon in Shanghai (04:00 UTC): inside every shop's working day,
# outside any night's quiet hours, far from a day, month or year boundary.
WORKDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def ticking(start: datetime) -> Callable[[], datetime]:
    """A clock that says ``start`` now and then moves on at the pace of ``time.monotonic``.

    For processes that need time to pass (timeouts, expiry) but must not care
    what time the machine thinks it is.
    """
    if start.tzinfo is None:
        raise ValueError("a test clock starts at an aware datetime")
    origin = time.monotonic()
    start_utc = start.astimezone(timezone.utc)

    def now() -> datetime:
        return start_utc + timedelta(seconds=time.monotonic() - origin)

    return now

