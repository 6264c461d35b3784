"""Hub ↔ broker: a hub process that loses the broker says so in /healthz at once, opens an
alert (into the outbox, to be sent when the link returns) after the threshold, and resolves
it when the link is back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hub.monitor.broker import check_broker, record_link
from hub.monitor.models import Alert
from tests.attention_helpers import BASE, Clock
from tests.monitor_helpers import alerts_sent

TOKEN = "health-token"


@pytest.fixture(autouse=True)
def _token(settings: Any) -> None:
    settings.API_TOKEN = TOKEN  # /healthz details are for the token holder


def healthz() -> Any:
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/healthz").json()

pytestmark = pytest.mark.django_db

HUB = "shopcrier-hub-monitor-1234"


def test_healthz_reports_the_link_as_the_hub_process_last_wrote_it() -> None:
    record_link(HUB, True, timezone.now())
    assert healthz()["broker"] == "up"

    record_link(HUB, False, timezone.now())
    reply = healthz()
    assert reply["broker"] == "down" and reply["links"][HUB]["up"] is False


@pytest.mark.clock
def test_a_link_down_past_the_threshold_opens_an_alert_and_reconnecting_resolves_it() -> None:
    clock = Clock()
    record_link(HUB, True, clock.now)
    record_link(HUB, False, clock.advance(seconds=1))

    check_broker(clock.advance(seconds=29), BASE, threshold=timedelta(seconds=30))
    assert alerts_sent() == []
    record_link(HUB, False, clock.now)  # the worker's periodic refresh keeps "since"
    check_broker(clock.advance(seconds=2), BASE, threshold=timedelta(seconds=30))
    [opened] = alerts_sent()
    assert "has lost the MQTT broker" in opened.text
    assert healthz()["alerts_open"][0]["key"] == f"broker:{HUB}"

    record_link(HUB, True, clock.advance(seconds=5))
    check_broker(clock.now, BASE)
    assert [a.state for a in alerts_sent()] == ["opened", "resolved"]


@pytest.mark.clock
def test_the_alert_of_a_process_that_died_with_its_link_down_is_resolved() -> None:
    clock = Clock(timezone.now() - timedelta(minutes=10))  # /healthz reads the real time
    record_link(HUB, False, clock.now)
    record_link(HUB, False, clock.advance(seconds=31))  # still refreshing, still down
    check_broker(clock.now, BASE)
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1

    check_broker(clock.advance(minutes=5), BASE)  # no refresh since: the process is gone
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 0
    assert healthz()["broker"] == "unknown"
