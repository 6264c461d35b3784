"""Webhooks through a real HTTP server: signed bodies are stored once, everything else is refused.

Signatures are computed here the way each platform computes them, not with the
hub's own code, so a mistake in the hub cannot cancel itself out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from typing import Any

import pytest
import requests
from django.core.handlers.asgi import ASGIRequest
from pytest_django.live_server_helper import LiveServer

from hub.intake import webhooks
from hub.intake.models import Message, Quarantine, Source
from hub.outbox.models import Delivery
from hub.simulator import SOURCE_PRESET

# live_server needs real commits; serialized_rollback restores the default
# categories, rules and routes (a data migration) that the flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRET = "whsec-test-一二三"  # non-ASCII on purpose: secrets are UTF-8 bytes
SECRET_ENV = "SHOPCRIER_TEST_WEBHOOK_SECRET"

ORDER = {"id": "w-1", "user": {"id": "u-501", "name": "张三"}, "content": "客户张三提交了订单10023", "app": "web"}
WITHDRAWAL = {"id": "w-2", "user": {"id": "u-502", "name": "李四"}, "content": "用户李四申请了提现，请及时审核"}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


def make_source(name: str = "shop", adapter: str = "generic", **extra: Any) -> Source:
    fields: dict[str, Any] = {**SOURCE_PRESET, "webhook": {"secret_env": SECRET_ENV}, **extra}
    return Source.objects.create(name=name, adapter=adapter, url="http://127.0.0.1:1/unused", **fields)


@pytest.fixture
def shop() -> Source:
    return make_source()


def hook_url(server: LiveServer, name: str = "shop") -> str:
    return f"{server.url}/hooks/{name}/"


def shopcrier_headers(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-ShopCrier-Timestamp": stamp,
        "X-ShopCrier-Signature": f"sha256={digest}",
    }


def platform_hmac(body: bytes, secret: str = SECRET) -> str:
    """What WooCommerce and Shopify both send: base64 of the raw HMAC-SHA256 digest."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def post_signed(server: LiveServer, payload: Any, name: str = "shop") -> requests.Response:
    body = encode(payload)
    return requests.post(hook_url(server, name), data=body, headers=shopcrier_headers(body), timeout=10)


def assert_nothing_stored() -> None:
    assert (Message.objects.count(), Quarantine.objects.count(), Delivery.objects.count()) == (0, 0, 0)


def test_a_signed_webhook_is_stored_classified_and_routed_without_moving_the_cursor(
    live_server: LiveServer, shop: Source
) -> None:
    response = post_signed(live_server, ORDER)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 1, "duplicates": 0, "quarantined": 0}
    message = Message.objects.get(external_id="w-1")
    assert (message.category and message.category.slug, message.user_name, message.app) == ("order", "张三", "web")
    assert set(message.deliveries.values_list("topic", flat=True)) == {
        "shopcrier/events/order",
        "shopcrier/announce/ops/orders",
    }
    shop.refresh_from_db()
    assert shop.cursor == ""


def test_the_same_webhook_again_is_a_duplicate_and_adds_nothing(live_server: LiveServer, shop: Source) -> None:
    assert post_signed(live_server, ORDER).json()["stored"] == 1
    deliveries = Delivery.objects.count()
    again = post_signed(live_server, ORDER)
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "duplicates": 1, "quarantined": 0}
    assert (Message.objects.count(), Delivery.objects.count()) == (1, deliveries)


@pytest.mark.parametrize("shape", ["list", "items_path"])
def test_a_batch_stores_every_item_whether_a_list_or_under_items_path(
    live_server: LiveServer, shop: Source, shape: str
) -> None:
    batch = [ORDER, WITHDRAWAL]
    response = post_signed(live_server, batch if shape == "list" else {"data": {"items": batch}})
    assert response.json() == {"stored": 2, "duplicates": 0, "quarantined": 0}
    withdrawal = Message.objects.get(external_id="w-2")
    assert withdrawal.category and withdrawal.category.slug == "withdrawal"
    assert set(withdrawal.deliveries.exclude(announcement_id="").values_list("topic", flat=True)) == {
        "shopcrier/announce/ops/finance",
        "shopcrier/announce/ops/finance/003",
    }


def test_a_batch_with_one_bad_item_stores_the_good_and_quarantines_the_bad(
    live_server: LiveServer, shop: Source
) -> None:
    bad = {"id": "w-bad", "user": {"id": "u-9", "name": "x"}, "content": ""}
    response = post_signed(live_server, [ORDER, bad, WITHDRAWAL])
    assert response.status_code == 200
    assert response.json() == {"stored": 2, "duplicates": 0, "quarantined": 1}
    assert set(Message.objects.values_list("external_id", flat=True)) == {"w-1", "w-2"}
    quarantined = Quarantine.objects.get()
    assert "content" in quarantined.reason and "w-bad" in quarantined.raw


def test_a_wrong_signature_is_refused_with_401_and_stores_nothing(live_server: LiveServer, shop: Source) -> None:
    body = encode(ORDER)
    response = requests.post(hook_url(live_server), data=body, headers=shopcrier_headers(body, secret="guess"), timeout=10)
    assert response.status_code == 401
    assert "X-ShopCrier-Signature does not match" in response.json()["error"]
    assert_nothing_stored()


def test_a_body_altered_after_signing_is_refused_with_401(live_server: LiveServer, shop: Source) -> None:
    headers = shopcrier_headers(encode(ORDER))
    forged = encode({**ORDER, "content": "用户张三申请了提现，请及时审核"})
    assert requests.post(hook_url(live_server), data=forged, headers=headers, timeout=10).status_code == 401
    assert_nothing_stored()


@pytest.mark.parametrize("header", ["X-ShopCrier-Signature", "X-ShopCrier-Timestamp"])
def test_a_missing_signature_header_is_refused_with_401_naming_it(
    live_server: LiveServer, shop: Source, header: str
) -> None:
    body = encode(ORDER)
    headers = shopcrier_headers(body)
    del headers[header]
    response = requests.post(hook_url(live_server), data=body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == f"{header} header is missing"
    assert_nothing_stored()


@pytest.mark.parametrize("skew", [-301, 3600])
def test_a_timestamp_outside_five_minutes_is_refused_as_a_replay(
    live_server: LiveServer, shop: Source, skew: int
) -> None:
    body = encode(ORDER)
    headers = shopcrier_headers(body, timestamp=int(time.time()) - skew)
    response = requests.post(hook_url(live_server), data=body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert "replay" in response.json()["error"]
    assert_nothing_stored()


def test_a_body_over_the_cap_is_refused_with_413(live_server: LiveServer, shop: Source) -> None:
    body = b"[" + b" " * webhooks.MAX_BODY_BYTES + b"]"
    response = requests.post(hook_url(live_server), data=body, headers=shopcrier_headers(body), timeout=10)
    assert response.status_code == 413
    assert "byte cap" in response.json()["error"]
    assert_nothing_stored()


def test_a_body_without_content_length_is_still_capped_while_read(shop: Source) -> None:
    # A chunked upload has no Content-Length; under ASGI the body arrives as a file.
    scope = {"type": "http", "method": "POST", "path": "/hooks/shop/", "headers": [], "query_string": b""}
    request = ASGIRequest(scope, io.BytesIO(b"x" * (webhooks.MAX_BODY_BYTES + 1)))
    response = webhooks.receive(request, "shop")
    assert response.status_code == 413
    assert_nothing_stored()


def test_a_batch_over_the_item_cap_is_refused_with_413(live_server: LiveServer, shop: Source) -> None:
    response = post_signed(live_server, [ORDER] * 1001)
    assert response.status_code == 413
    assert "1001 items" in response.json()["error"]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>hello</html>", "body is not JSON: Expecting value at line 1 column 1"),
        (b'{"content": "\xff\xfe"}', "body is not UTF-8: byte 0xff at position 13"),
        (b'{"content": NaN}', "body is not JSON: NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'"just a string"', "not str"),
    ],
    ids=["not-json", "not-utf8", "nan", "deep-nesting", "wrong-shape"],
)
def test_a_signed_but_malformed_body_is_refused_with_400_naming_the_problem(
    live_server: LiveServer, shop: Source, body: bytes, problem: str
) -> None:
    response = requests.post(hook_url(live_server), data=body, headers=shopcrier_headers(body), timeout=10)
    assert response.status_code == 400
    assert problem in response.json()["error"]
    assert_nothing_stored()


def test_an_unknown_or_disabled_source_is_404(live_server: LiveServer) -> None:
    make_source("paused", enabled=False)
    for name in ("nosuch", "paused"):
        response = post_signed(live_server, ORDER, name=name)
        assert response.status_code == 404
        assert response.json()["error"] == f"no enabled source named {name!r}"
    assert_nothing_stored()


def test_get_is_405_and_says_post(live_server: LiveServer, shop: Source) -> None:
    response = requests.get(hook_url(live_server), timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert "POST" in response.json()["error"]


def test_a_source_whose_secret_variable_is_unset_answers_503_naming_it(
    live_server: LiveServer, shop: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV)
    response = post_signed(live_server, ORDER)
    assert response.status_code == 503
    assert f"environment variable {SECRET_ENV}" in response.json()["error"]
    assert_nothing_stored()


def test_a_source_without_a_webhook_secret_answers_503(live_server: LiveServer) -> None:
    make_source("polled-only", webhook={})
    response = post_signed(live_server, ORDER, name="polled-only")
    assert response.status_code == 503
    assert "webhook.secret_env is not set" in response.json()["error"]


# WooCommerce and Shopify push one order object, the same shape their REST APIs list.

WOO_ORDER = {
    "id": 727,
    "number": "727",
    "status": "processing",
    "currency": "USD",
    "total": "89.90",
    "date_created_gmt": "2026-11-25T02:00:00",
    "customer_id": 12,
    "billing": {"first_name": "Jane", "last_name": "Doe"},
    "created_via": "checkout",
}
SHOPIFY_ORDER = {
    "id": 820982911946154508,
    "name": "#1001",
    "order_number": 1001,
    "created_at": "2026-11-25T10:00:00+08:00",
    "total_price": "199.00",
    "currency": "CNY",
    "financial_status": "paid",
    "customer": {"id": 115310627314723954, "first_name": "三", "last_name": "张"},
    "source_name": "web",
}
PLATFORMS = {
    "woocommerce": ("X-WC-Webhook-Signature", WOO_ORDER),
    "shopify": ("X-Shopify-Hmac-Sha256", SHOPIFY_ORDER),
}


def post_platform(server: LiveServer, adapter: str, body: bytes, signature: str | None) -> requests.Response:
    header, _ = PLATFORMS[adapter]
    headers = {"Content-Type": "application/json"} | ({header: signature} if signature is not None else {})
    return requests.post(hook_url(server, adapter), data=body, headers=headers, timeout=10)


@pytest.mark.parametrize("adapter", sorted(PLATFORMS))
def test_a_platform_order_signed_as_the_platform_signs_is_stored_once_as_an_order(
    live_server: LiveServer, adapter: str
) -> None:
    make_source(adapter, adapter=adapter)
    _, order = PLATFORMS[adapter]
    body = encode(order)
    response = post_platform(live_server, adapter, body, platform_hmac(body))
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 1, "duplicates": 0, "quarantined": 0}
    message = Message.objects.get(external_id=str(order["id"]))
    assert message.category and message.category.slug == "order"
    assert message.platform_type == "order.created"
    assert "shopcrier/announce/ops/orders" in set(message.deliveries.values_list("topic", flat=True))
    again = post_platform(live_server, adapter, body, platform_hmac(body))
    assert again.json() == {"stored": 0, "duplicates": 1, "quarantined": 0}


@pytest.mark.parametrize("adapter", sorted(PLATFORMS))
@pytest.mark.parametrize("forgery", ["wrong-secret", "missing", "shopcrier-scheme"])
def test_a_platform_order_not_signed_with_the_secret_is_refused_with_401(
    live_server: LiveServer, adapter: str, forgery: str
) -> None:
    make_source(adapter, adapter=adapter)
    header, order = PLATFORMS[adapter]
    body = encode(order)
    if forgery == "shopcrier-scheme":  # a valid signature in another platform's header proves nothing
        headers = shopcrier_headers(body)
        response = requests.post(hook_url(live_server, adapter), data=body, headers=headers, timeout=10)
    else:
        response = post_platform(live_server, adapter, body, platform_hmac(body, "guess") if forgery == "wrong-secret" else None)
    assert response.status_code == 401
    assert header in response.json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("HMAC")
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("adapter", "refunded"),
    [("woocommerce", {"status": "refunded"}), ("shopify", {"financial_status": "refunded"})],
)
def test_a_refund_pushed_for_an_order_already_stored_is_news_of_its_own(
    live_server: LiveServer, adapter: str, refunded: dict[str, str]
) -> None:
    make_source(adapter, adapter=adapter)
    _, order = PLATFORMS[adapter]
    for body in (encode(order), encode(order | refunded), encode(order | refunded)):
        post_platform(live_server, adapter, body, platform_hmac(body))
    events = sorted(Message.objects.filter(external_id=str(order["id"])).values_list("platform_type", "category__slug"))
    assert events == [("order.created", "order"), ("order.refunded", "refund")]


def test_the_woocommerce_creation_ping_gets_200_and_stores_nothing(live_server: LiveServer) -> None:
    make_source("woocommerce", adapter="woocommerce")
    # WooCommerce sends this unsigned when a webhook is saved, and keeps the webhook only on a 200.
    response = requests.post(
        hook_url(live_server, "woocommerce"),
        data="webhook_id=42",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert response.status_code == 200
    assert_nothing_stored()


def test_a_ping_shaped_body_to_a_generic_source_still_needs_a_signature(live_server: LiveServer, shop: Source) -> None:
    response = requests.post(hook_url(live_server), data="webhook_id=42", timeout=10)
    assert response.status_code == 401


@pytest.mark.parametrize("adapter", sorted(PLATFORMS))
def test_a_signed_platform_order_that_cannot_be_read_is_quarantined_not_lost(
    live_server: LiveServer, adapter: str
) -> None:
    make_source(adapter, adapter=adapter)
    _, order = PLATFORMS[adapter]
    body = encode({**order, "id": "not-a-number"})
    response = post_platform(live_server, adapter, body, platform_hmac(body))
    # a 200: a 4xx would only make the platform retry a body that can never be read
    assert response.status_code == 200
    assert response.json() == {"stored": 0, "duplicates": 0, "quarantined": 1}
    assert "id is 'not-a-number'" in Quarantine.objects.get().reason


@pytest.mark.parametrize("adapter", sorted(PLATFORMS))
def test_a_signed_platform_body_that_is_not_one_order_is_refused_with_400(
    live_server: LiveServer, adapter: str
) -> None:
    make_source(adapter, adapter=adapter)
    _, order = PLATFORMS[adapter]
    body = encode([order])
    response = post_platform(live_server, adapter, body, platform_hmac(body))
    assert response.status_code == 400
    assert response.json()["error"] == f"a {adapter} webhook body must be one order object, not list"
    assert_nothing_stored()
