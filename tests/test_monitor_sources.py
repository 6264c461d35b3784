"""Platform link monitoring: a real poller against a real HTTP API writes each source's
health; the monitor's step turns it into alerts worded by what went wrong, and resolves
them when polls succeed again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from hub.intake.models import Source
from hub.intake.poller import Poller
from hub.monitor.models import Alert
from hub.monitor.sources import SourceWatch, wording
from tests.attention_helpers import BASE, Clock
from tests.monitor_helpers import TECH, alerts_sent, spoken_on
from tests.platform_servers import Answer, GenericServer
from tests.test_intake_generic import generic_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Iterator[GenericServer]:
    with GenericServer() as server:
        server.add(2)
        yield server


def poll(source: Source) -> None:
    Poller().poll_source(Source.objects.get(pk=source.pk))


@pytest.mark.clock
def test_a_platform_answering_500s_opens_an_alert_after_three_failures_and_a_success_resolves_it(
    api: GenericServer,
) -> None:
    clock, watch = Clock(), SourceWatch()
    source = generic_source(f"{api.base}/api/messages")
    api.fail_next(*[Answer.json({"error": "boom"}, 500)] * 3)

    for _ in range(2):
        poll(source)
        watch.check(clock.advance(seconds=5), BASE)
    assert alerts_sent() == []  # two failures may be a blip

    poll(source)
    watch.check(clock.advance(seconds=5), BASE)
    [opened] = alerts_sent()
    assert opened.subject == "platform source shop"
    assert "HTTP 500: the platform's server is failing (3 failed poll(s) in a row)" in opened.text
    assert spoken_on(TECH)[0].category == "system"

    poll(source)
    watch.check(clock.advance(seconds=5), BASE)
    assert [a.state for a in alerts_sent()] == ["opened", "resolved"]
    assert alerts_sent()[1].text == "Source shop answers again"


@pytest.mark.parametrize("code", [401, 403])
@pytest.mark.clock
def test_refused_credentials_alert_at_once_in_their_own_words(api: GenericServer, code: int) -> None:
    clock, watch = Clock(), SourceWatch()
    source = generic_source(f"{api.base}/api/messages")
    api.fail_next(Answer.json({"error": "unauthorised"}, code))

    poll(source)
    watch.check(clock.now, BASE)
    [opened] = alerts_sent()
    assert f"HTTP {code}: the platform refuses our credentials" in opened.text

    poll(source)
    watch.check(clock.advance(seconds=5), BASE)
    assert alerts_sent()[-1].state == "resolved"


@pytest.mark.clock
def test_slow_replies_open_their_own_alert_after_three_polls_and_a_quick_one_resolves_it(api: GenericServer) -> None:
    clock, watch = Clock(), SourceWatch(slow_ms=1500, slow_polls=3)  # a quick local reply stays far below, even on a busy machine
    source = generic_source(f"{api.base}/api/messages")
    api.fail_next(*[dataclasses.replace(Answer.json({"data": {"items": []}}), delay=2.0)] * 3)

    for _ in range(3):
        poll(source)
        watch.check(clock.advance(seconds=5), BASE)
    assert Alert.objects.get(resolved_at__isnull=True).key == "source:shop:slow"
    assert "replies slowly" in alerts_sent()[0].text

    poll(source)
    watch.check(clock.advance(seconds=5), BASE)
    assert [a.state for a in alerts_sent()] == ["opened", "resolved"]


def test_each_kind_of_failure_has_its_own_wording() -> None:
    assert wording("HTTP 503 Service Unavailable: down") == "HTTP 503: the platform's server is failing"
    assert wording("HTTP 429 Too Many Requests").startswith("HTTP 429: the platform is rate-limiting us")
    assert wording("no reply within 20 s").startswith("timeout: the platform did not answer in time")
    assert wording("request failed: connection refused").startswith("the platform cannot be reached")


@pytest.mark.clock
def test_the_monitor_never_watches_its_own_source() -> None:
    from hub.monitor.alerts import monitor_source

    source = monitor_source()
    Source.objects.filter(pk=source.pk).update(consecutive_failures=9, last_error="HTTP 500")
    SourceWatch().check(Clock().now, BASE)
    assert alerts_sent() == [] and not source.enabled


@pytest.mark.clock
def test_the_monitor_source_stays_out_of_the_config_file_and_a_prune_keeps_it() -> None:
    from hub.confio.dump import dump_config
    from hub.confio.load import apply_config
    from hub.confio.parse import parse_text
    from hub.monitor.alerts import raise_alert

    raise_alert("source:x", Alert.SOURCE, "platform source x", "down", Clock().now, BASE)  # a message in it
    text = dump_config()
    assert "shopcrier-monitor" not in text

    apply_config(parse_text(text), prune=True)
    assert Source.objects.filter(name="shopcrier-monitor").exists()
