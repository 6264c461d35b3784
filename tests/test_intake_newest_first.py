"""Paging that a real shop needs: an Oscar-shaped, newest-first, page-numbered API with no
cursor, against a real HTTP server (tests/oscar_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.intake.models import Message, Source
from hub.intake.poller import Poller, PollResult
from hub.monitor.models import Alert
from hub.monitor.sources import SourceWatch
from tests.attention_helpers import BASE, Clock
from tests.oscar_server import OscarServer
from tests.platform_servers import Answer, Request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[OscarServer]:
    monkeypatch.setenv("OSCAR_PASSWORD", "oscar-pass")
    with OscarServer() as server:
        yield server


def oscar_source(shop: OscarServer, **settings: Any) -> Source:
    values: dict[str, Any] = {
        "name": "oscar",
        "adapter": "generic",
        "url": shop.url,
        "items_path": "results",
        "fields": {"id": "number", "content": "number", "created_at": "date_placed"},
        "cursor_config": {"param": "", "field": "number"},
        "pagination": {"type": "page", "param": "page", "size": 10, "order": "newest_first"},
        "auth": {"type": "basic", "user": "admin", "password_env": "OSCAR_PASSWORD"},
    }
    return Source.objects.create(**{**values, **settings})


def poll(source: Source) -> PollResult:
    return Poller().poll_source(Source.objects.get(pk=source.pk))


def pages_asked(shop: OscarServer) -> list[str]:
    return [r.query.get("page", "1") for r in shop.requests]


def numbers() -> list[int]:
    return sorted(int(n) for n in Message.objects.values_list("external_id", flat=True))


@pytest.mark.clock
def test_a_full_last_page_ends_the_walk_at_the_404_without_failing_the_poll(shop: OscarServer) -> None:
    shop.place(20)  # an exact multiple of the page size
    source = oscar_source(shop)
    clock, watch = Clock(), SourceWatch()

    for _ in range(4):
        result = poll(source)
        assert result.error == ""
        watch.check(clock.advance(seconds=12), BASE)

    assert numbers() == list(range(100001, 100021))
    assert Source.objects.get(pk=source.pk).consecutive_failures == 0
    assert not Alert.objects.exists()
    assert pages_asked(shop)[:3] == ["1", "2", "3"]  # the third is the 404 "Invalid page."


def test_an_idle_poll_costs_one_request_and_a_poll_with_new_orders_two(shop: OscarServer) -> None:
    shop.place(190)
    source = oscar_source(shop)
    poll(source)
    assert len(numbers()) == 190

    shop.requests.clear()
    assert poll(source).new == 0
    assert pages_asked(shop) == ["1"]

    shop.requests.clear()
    shop.place(3)
    assert poll(source).new == 3
    assert pages_asked(shop) == ["1", "2"]


def test_orders_placed_while_a_poll_walks_the_pages_are_neither_missed_nor_doubled(shop: OscarServer) -> None:
    shop.place(25)
    source = oscar_source(shop)

    def rush(request: Request) -> None:
        if request.query.get("page") == "2":  # ten orders arrive between page 1 and page 2
            shop.place(10)
            shop.between_pages = None

    shop.between_pages = lambda request: rush(request)
    poll(source)  # page 2 now repeats page 1: stored in this walk, so the walk goes on
    poll(source)
    assert numbers() == list(range(100001, 100036))

    shop.place(3)
    shop.between_pages = lambda request: rush(request)
    poll(source)  # page 2 holds 3 orders this poll stored, pushed there by the rush
    poll(source)
    assert numbers() == list(range(100001, 100049))
    assert Message.objects.count() == 48


def test_a_walk_cut_short_by_an_error_resumes_where_it_stopped(shop: OscarServer) -> None:
    shop.place(30)
    source = oscar_source(shop)

    def fail_page_2(request: Request) -> Answer | None:
        if request.query.get("page") == "2":
            shop.between_pages = None
            return Answer.json({"detail": "A server error occurred."}, 500)
        return None

    shop.between_pages = fail_page_2
    assert poll(source).error.startswith("HTTP 500")
    assert len(numbers()) == 10

    shop.requests.clear()
    assert poll(source).error == ""
    assert numbers() == list(range(100001, 100031))
    assert pages_asked(shop) == ["1", "2", "3", "4"]  # page 1 is known: on from page 2 to the 404 past the end

    shop.requests.clear()
    poll(source)
    assert pages_asked(shop) == ["1"]


@pytest.mark.clock
def test_slowness_is_judged_per_reply_not_per_poll(shop: OscarServer) -> None:
    shop.place(40)
    source = oscar_source(shop)
    # wide margins: a quick local reply must stay quick even on a machine loaded by other work
    clock, watch = Clock(), SourceWatch(slow_ms=2000, slow_polls=1)
    shop.delay = 0.5  # five replies make the walk take over two seconds, and none is slow

    result = poll(source)
    watch.check(clock.advance(seconds=12), BASE)
    assert result.error == ""
    assert len(shop.requests) == 5
    latency = Source.objects.get(pk=source.pk).last_latency_ms
    assert latency is not None and 500 <= latency < 2000
    assert not Alert.objects.exists()

    shop.delay = 2.5  # an idle poll: one reply, and it is slow
    poll(source)
    watch.check(clock.advance(seconds=12), BASE)
    assert Alert.objects.get(resolved_at__isnull=True).key == "source:oscar:slow"

    shop.delay = 0.0
    poll(source)
    watch.check(clock.advance(seconds=12), BASE)
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()
