"""Poll intervals written the way people say them: ``5s``, ``2m``, ``1h``."""

from __future__ import annotations

import re

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smh])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600}
MIN_SECONDS = 1
MAX_SECONDS = 24 * 3600


def parse_interval(text: str) -> int:
    """Seconds in ``text``; raises ValueError naming the accepted forms."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"interval {text!r}: write a whole number of seconds, minutes or hours: 5s, 2m, 1h")
    seconds = int(match.group(1)) * _UNIT[match.group(2)]
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ValueError(f"interval {text!r}: must be between 1s and 24h")
    return seconds


def format_interval(seconds: int) -> str:
    for unit in ("h", "m"):
        if seconds % _UNIT[unit] == 0:
            return f"{seconds // _UNIT[unit]}{unit}"
    return f"{seconds}s"
