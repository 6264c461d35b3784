"""``POST /api/messages/<id>/ack``: bearer token, 404, the first acknowledgement stands, unsent announcements cancelled."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hub.attention.models import Acknowledgement
from hub.outbox.models import Delivery
from tests.attention_helpers import announced

pytestmark = pytest.mark.django_db
SettingsWrapper = Any  # pytest-django's settings fixture; its class is not public
TOKEN = "t0ken-for-tests"


@pytest.fixture(autouse=True)
def api_token(settings: SettingsWrapper) -> None:
    settings.API_TOKEN = TOKEN


def post(client: Client, message_id: int, body: object, token: str | None = TOKEN) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = client.post(f"/api/messages/{message_id}/ack", json.dumps(body), content_type="application/json", headers=headers)
    return response.status_code, response.json()


def test_it_refuses_without_the_right_token(client: Client, settings: SettingsWrapper) -> None:
    message = announced("客户张三提交了订单10023")
    assert post(client, message.pk, {"by": "003"}, token=None)[0] == 401
    assert post(client, message.pk, {"by": "003"}, token="wrong")[0] == 401
    settings.API_TOKEN = ""  # no token configured: closed, not open
    assert post(client, message.pk, {"by": "003"}, token="")[0] == 401
    assert not Acknowledgement.objects.exists()


def test_an_unknown_message_is_404_and_a_bad_body_400(client: Client) -> None:
    assert post(client, 999999, {"by": "003"})[0] == 404
    message = announced("客户张三提交了订单10023")
    assert post(client, message.pk, {"who": "003"})[0] == 400
    assert post(client, message.pk, ["003"])[0] == 400


def test_acknowledging_twice_keeps_the_first(client: Client) -> None:
    message = announced("客户张三提交了订单10023")
    status, body = post(client, message.pk, {"by": "003"})
    assert (status, body["by"], body["first"]) == (201, "003", True)
    status, body = post(client, message.pk, {"by": "007"})
    assert (status, body["by"], body["first"]) == (200, "003", False)
    assert Acknowledgement.objects.get(message=message).by == "003"


def test_acknowledging_cancels_unsent_announcements_but_not_the_event(client: Client) -> None:
    message = announced("客户张三提交了订单10023", staff_no="003")
    assert post(client, message.pk, {"by": "003"})[0] == 201
    statuses = dict(Delivery.objects.filter(message=message).values_list("topic", "status"))
    assert statuses == {
        "shopcrier/events/order": Delivery.PENDING,
        "shopcrier/announce/ops/orders": Delivery.CANCELLED,
        "shopcrier/announce/ops/orders/003": Delivery.CANCELLED,
    }
