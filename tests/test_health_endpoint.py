"""/healthz: anyone learns whether the hub is ok and, if not, why in a few words; only a
logged-in user or the API token holder sees the details (alert texts, links, the outbox).
A hub process whose broker link is down makes the hub not ok (503), as a load balancer
or an uptime checker needs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hub.monitor.alerts import raise_alert
from hub.monitor.broker import record_link
from hub.monitor.models import Alert
from tests.attention_helpers import BASE
from tests.dashboard_helpers import client_for, orders_clerk

pytestmark = pytest.mark.django_db

TOKEN = "health-token"
HUB = "shopcrier-hub-monitor-77"
SECRET_TEXT = "Speaker spk-till-9 stopped sending heartbeats (expected every 30 s; last never)"


@pytest.fixture(autouse=True)
def _token(settings: Any) -> None:
    settings.API_TOKEN = TOKEN


def _open_alert() -> None:
    raise_alert("node:spk-till-9", Alert.NODE, "speaker spk-till-9", SECRET_TEXT, timezone.now(), BASE)


def test_an_anonymous_caller_gets_only_ok_and_why() -> None:
    record_link(HUB, True, timezone.now())
    _open_alert()
    reply = Client().get("/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"ok": True, "why": []}
    assert "spk-till-9" not in reply.content.decode()


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic aGVhbHRoLXRva2Vu", ""])
def test_a_wrong_or_missing_token_gets_no_details(header: str) -> None:
    _open_alert()
    reply = Client(HTTP_AUTHORIZATION=header).get("/healthz").json()
    assert set(reply) == {"ok", "why"}


def test_the_api_token_holder_gets_the_details() -> None:
    record_link(HUB, True, timezone.now())
    _open_alert()
    reply = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/healthz").json()
    assert reply["ok"] is True and reply["broker"] == "up"
    assert reply["alerts_open"] == [{"key": "node:spk-till-9", "text": SECRET_TEXT}]
    assert "outbox_pending" in reply


def test_a_logged_in_user_gets_the_details() -> None:
    _open_alert()
    reply = client_for(orders_clerk()).get("/healthz").json()
    assert reply["alerts_open"][0]["text"] == SECRET_TEXT


def test_no_token_configured_opens_nothing(settings: Any) -> None:
    settings.API_TOKEN = ""
    _open_alert()
    assert set(Client(HTTP_AUTHORIZATION="Bearer ").get("/healthz").json()) == {"ok", "why"}


def test_a_hub_process_without_its_broker_makes_the_hub_not_ok_and_says_why() -> None:
    now = timezone.now()
    record_link(HUB, True, now - timedelta(seconds=3))
    record_link(HUB, False, now)
    reply = Client().get("/healthz")
    assert reply.status_code == 503
    body = reply.json()
    assert body["ok"] is False and len(body["why"]) == 1 and "lost the MQTT broker" in body["why"][0]
    assert HUB not in body["why"][0]  # anonymous callers are not told the hub's process names

    record_link(HUB, True, timezone.now())
    assert Client().get("/healthz").status_code == 200


def test_a_web_process_with_no_hub_process_reporting_is_ok_with_the_link_unknown() -> None:
    reply = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/healthz")
    assert reply.status_code == 200 and reply.json()["broker"] == "unknown"
