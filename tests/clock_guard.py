"""Keeps the list of clock-sensitive tests from rotting.

A test that touches the time of day, dates or time zones — quiet hours,
shifts, on-duty routing, windows, digests, calendar days and months, an
injected clock — must carry ``@pytest.mark.clock``: ``make test`` runs the
marked tests again under libfaketime at fixed instants on either side of the
Shanghai/UTC day boundary and just before a month ends. Collection fails,
naming the test and the word that gave it away, when the mark is missing.

What is read: the test function's own source, and the source of each helper
function or class of its own module that it calls, one level deep. Data is not
read (a module constant holding quiet hours is found only where a test or
helper names what it does with it), so mark a test by what it does, too.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

TIME_WORDS = re.compile(
    r"QuietHours|quiet_hours|StaffShift|\bshifts?\b|on_duty|in_window|is_quiet"
    r"|ZoneInfo|tz=|timezone=|Asia/|tests\.clocks|\bticking\(|WORKDAY_NOON"
    r"|Clock\(|date\.today|Digest|digest_text|\bdigests\b"
    r"|\bmonthly\b|\bdaily\b|weekday"
)


def time_word(item: pytest.Function) -> str | None:
    """The first word in ``item``'s test (or what it uses) that makes it clock-sensitive."""
    function = item.function
    for text in _texts(function):
        match = TIME_WORDS.search(text)
        if match:
            return match.group(0)
    return None


def _texts(function: Any) -> list[str]:
    """The test's source, then that of each function or class of its own module it names."""
    texts = [_source(function)]
    module = inspect.getmodule(function)
    code = getattr(function, "__code__", None)
    for name in code.co_names if code is not None else ():
        value = getattr(module, name, None)
        if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == function.__module__:
            texts.append(_source(value))
    return texts


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = []
    for item in items:
        if not isinstance(item, pytest.Function) or item.get_closest_marker("clock"):
            continue
        word = time_word(item)
        if word is not None:
            unmarked.append(f"  {item.nodeid} (it mentions {word!r})")
    if unmarked:
        raise pytest.UsageError(
            "these tests touch the time of day, dates or time zones but lack @pytest.mark.clock;\n"
            "give each an injected clock (tests/clocks.py) and the mark, so `make test` runs it under faketime too:\n"
            + "\n".join(unmarked)
        )
