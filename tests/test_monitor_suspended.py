"""A platform that answers ``Retry-After: 86400`` is obeyed for at most 15 minutes, and the
technical department hears at once that polling is suspended; a fault inside the hub is
told in words, never with its SQL or an exception's repr."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from hub.intake.models import Source
from hub.intake.poller import MAX_RETRY_AFTER_SECONDS, Poller
from hub.monitor.sources import SourceWatch
from tests.attention_helpers import BASE, Clock
from tests.monitor_helpers import TECH, alerts_sent, spoken_on
from tests.platform_servers import Answer, GenericServer
from tests.test_intake_generic import generic_source

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture
def api() -> Iterator[GenericServer]:
    with GenericServer() as server:
        server.add(2)
        yield server


def test_a_day_long_retry_after_is_capped_and_alerts_at_once(api: GenericServer) -> None:
    source = generic_source(f"{api.base}/api/messages")
    api.fail_next(Answer.json({"error": "come back tomorrow"}, 429, {"Retry-After": "86400"}))
    poller = Poller()
    poller.poll_due()
    held = poller._due[source.pk] - time.monotonic()
    assert 0 < held <= MAX_RETRY_AFTER_SECONDS == 900

    SourceWatch().check(Clock().now, BASE)  # one failure is enough: nobody should wait for more
    [opened] = alerts_sent()
    assert "told us to stop polling for 24 h; we poll again in 15 min" in opened.text
    assert spoken_on(TECH)[0].text == "平台暂停了我们的查询"


def test_a_short_retry_after_is_obeyed_as_asked_and_is_not_a_suspension(api: GenericServer) -> None:
    source = generic_source(f"{api.base}/api/messages")
    api.fail_next(Answer.json({"error": "slow down"}, 429, {"Retry-After": "120"}))
    poller = Poller()
    poller.poll_due()
    assert poller._due[source.pk] - time.monotonic() > 100
    SourceWatch().check(Clock().now, BASE)
    assert alerts_sent() == []  # a blip: the usual three failures in a row are needed


def test_a_database_fault_while_storing_is_worded_for_people(api: GenericServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import DataError

    from hub.intake import poller as poller_module

    def broken(*args: object) -> None:
        raise DataError('value too long for type character varying(200)\nLINE 1: INSERT INTO "intake_message"')

    monkeypatch.setattr(poller_module, "store_page", broken)
    source = generic_source(f"{api.base}/api/messages")
    clock, watch = Clock(), SourceWatch()
    for _ in range(3):
        Poller().poll_source(Source.objects.get(pk=source.pk))
        watch.check(clock.advance(seconds=5), BASE)
    [opened] = alerts_sent()
    assert "the hub could not store what the platform sent" in opened.text
    for leak in ("INSERT", "character varying", "DataError(", "LINE 1"):
        assert leak not in opened.text
    assert "INSERT" not in spoken_on(TECH)[0].text
