"""Quiet hours on the node: only urgent plays inside a window; the rest wait, or expire while waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mqtt import NodeConfig, QuietHours
from node.agent import Agent
from node.quiet import in_window
from tests.node_agents import make_agent, speech
from tests.node_helpers import announcement

__all__ = ["make_agent", "speech"]  # fixtures, used by name

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = QuietHours(start="22:00", end="07:00", days=(4,), tz="Asia/Shanghai")  # Friday nights


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Shanghai in the week of Monday 2026-11-23 (``day`` 0 = Monday)."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.clock
def test_a_window_across_midnight_covers_the_next_morning_of_its_start_day() -> None:
    assert in_window(NIGHT, local(4, 22, 0))
    assert in_window(NIGHT, local(5, 6, 59))  # Saturday morning: the window began on Friday
    assert not in_window(NIGHT, local(5, 7, 0))
    assert not in_window(NIGHT, local(4, 21, 59))
    assert not in_window(NIGHT, local(3, 23, 0))  # Thursday night is not in ``days``
    assert not in_window(NIGHT, local(6, 1, 0))  # Sunday morning: Saturday is not in ``days`` either


@pytest.mark.clock
def test_the_window_is_read_in_its_own_time_zone_whatever_the_clock_says() -> None:
    utc = local(4, 23).astimezone(timezone.utc)  # 15:00 UTC

    assert in_window(NIGHT, utc)
    assert not in_window(QuietHours(start="22:00", end="07:00", tz="Nowhere/Atlantis"), utc)


@pytest.mark.clock
def test_inside_quiet_hours_only_urgent_plays_and_the_rest_waits_or_expires(
    make_agent: Callable[..., Agent],
) -> None:
    clock = [local(4, 23)]
    agent = make_agent(now=lambda: clock[0])
    agent.apply_config(NodeConfig(quiet_hours=(NIGHT,)))
    agent.store.accept(announcement("normal-1"))
    agent.store.accept(announcement("soon-stale-1", expires_at=clock[0] + timedelta(hours=1)))
    agent.store.accept(announcement("urgent-1", priority="urgent"))

    assert agent.play_next() is True  # the urgent one, at once
    assert agent.store.status("urgent-1") == "played"
    clock[0] = local(5, 1)  # an hour later "soon-stale-1" is past due: it expires while it waits
    assert agent.play_next() is True
    assert agent.play_next() is False  # nothing may play now
    assert (agent.store.status("soon-stale-1"), agent.store.status("normal-1")) == ("expired", "queued")

    clock[0] = local(5, 7, 1)  # the window is over
    assert agent.play_next() is True
    assert agent.store.status("normal-1") == "played"
