"""The hub hears only enrolled speakers: unknown ids are refused and logged once, new ones heard within seconds."""

from __future__ import annotations

import logging

import pytest
from pytest_django import DjangoAssertNumQueries

from hub.fleet.known import KnownNodes
from tests.hub_helpers import enrolled

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.clock
def test_an_unknown_node_is_refused_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    enrolled("spk-a")
    known = KnownNodes(monotonic=Clock())
    with caplog.at_level(logging.DEBUG, logger="hub.fleet.known"):
        assert known.knows("spk-a", "heartbeat")
        assert [known.knows("spk-x", "heartbeat") for _ in range(5)] == [False] * 5
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["refused a heartbeat from node spk-x: no speaker of that id is enrolled (logged once)"]


@pytest.mark.clock
def test_a_speaker_enrolled_meanwhile_is_heard_after_the_retry_delay() -> None:
    clock = Clock()
    known = KnownNodes(retry_s=5, monotonic=clock)
    assert not known.knows("spk-new")
    enrolled("spk-new")
    clock.now += 4.9
    assert not known.knows("spk-new")
    clock.now += 0.1
    assert known.knows("spk-new")


@pytest.mark.clock
def test_a_flood_of_made_up_ids_costs_one_query_per_retry_delay(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    enrolled("spk-a")
    clock = Clock()
    known = KnownNodes(retry_s=5, monotonic=clock)
    with django_assert_num_queries(1):
        assert not any(known.knows(f"spk-fake-{n}") for n in range(1000))
        assert known.knows("spk-a")
    clock.now += 5
    with django_assert_num_queries(1):
        assert not any(known.knows(f"spk-fake-{n}") for n in range(1000))
