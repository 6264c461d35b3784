"""A hub that cannot reach its broker says so at once: one ERROR line naming the broker's URL
(user name, never the password) and the cause, not once per retry; the cause reaches
/healthz's details and the alert that opens after the threshold."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hub.monitor.broker import check_broker, record_link
from mqtt import BrokerSettings, Link
from tests.attention_helpers import BASE, Clock
from tests.monitor_helpers import alerts_sent

PASSWORD = "s3cret-never-logged"
HUB = "shopcrier-hub-monitor-42"


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def dead_link() -> Iterator[Link]:
    """A link with credentials to a loopback port that is bound but never listens: connecting is
    refused, and no other test's broker can take the port meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        settings = BrokerSettings(host="127.0.0.1", port=held.getsockname()[1], username="hub", password=PASSWORD)
        link = Link(settings, HUB, clean_start=True, session_expiry=0, backoff=(1, 1))
        link.start()
        yield link
        link.stop()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mqtt.client" and r.levelno >= logging.ERROR]


def test_a_refused_connection_is_logged_at_once_with_url_and_cause(dead_link: Link, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mqtt.client")
    # the first attempt's failure is logged (the wait is only for a loaded machine)
    assert wait_for(lambda: bool(errors(caplog)), timeout=10.0), "nothing logged for a broker that refuses"
    [line] = errors(caplog)
    assert f"mqtt://hub:***@127.0.0.1:{dead_link.settings.port}" in line
    assert "connection refused" in line
    # later attempts (every second here) with the same cause do not repeat the error
    assert wait_for(lambda: sum("still unreachable" in r.getMessage() for r in caplog.records) >= 2)
    assert len(errors(caplog)) == 1
    assert PASSWORD not in caplog.text


def test_an_unknown_host_is_named_as_such(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mqtt.client")
    link = Link(BrokerSettings(host="no-such-broker.invalid", port=1883), HUB, clean_start=True, session_expiry=0)
    link.start()
    try:
        assert wait_for(lambda: bool(errors(caplog)), timeout=10.0)
    finally:
        link.stop()
    assert "mqtt://no-such-broker.invalid:1883" in errors(caplog)[0]
    assert "unknown host name" in errors(caplog)[0]


@pytest.mark.django_db
@pytest.mark.clock
def test_the_cause_reaches_the_alert_and_healthz_details_but_never_the_password(dead_link: Link, settings: Any) -> None:
    settings.API_TOKEN = "t"
    assert wait_for(lambda: bool(dead_link.problem_line()), timeout=10.0)
    clock = Clock(timezone.now())  # /healthz reads the real time; the threshold is crossed on the test clock
    record_link(HUB, False, clock.now, dead_link.problem_line())

    details = Client(HTTP_AUTHORIZATION="Bearer t").get("/healthz").json()
    assert "connection refused" in details["links"][HUB]["problem"]
    record_link(HUB, False, clock.advance(seconds=31), "")  # a refresh that knows no more keeps the cause
    check_broker(clock.now, BASE, threshold=timedelta(seconds=30))
    [opened] = alerts_sent()
    assert f"127.0.0.1:{dead_link.settings.port}" in opened.text and "connection refused" in opened.text
    assert PASSWORD not in opened.text
