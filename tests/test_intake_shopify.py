"""The Shopify adapter against a real server speaking the Admin REST orders API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.intake.adapters import transport
from hub.intake.models import Message, Quarantine, Source
from hub.intake.poller import Poller
from tests.bad_replies import BAD_REPLIES, BadReply
from tests.platform_servers import Answer, ShopifyServer

pytestmark = pytest.mark.django_db

TOKEN = "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"
AUTH = {"type": "shopify", "token_env": "SHOPIFY_TOKEN"}


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShopifyServer]:
    monkeypatch.setenv("SHOPIFY_TOKEN", TOKEN)
    with ShopifyServer(TOKEN) as server:
        yield server


def shopify_source(url: str, **settings: Any) -> Source:
    return Source.objects.create(**{"name": "shopify", "adapter": "shopify", "url": url, "auth": AUTH, **settings})


def reloaded(source: Source) -> Source:
    return Source.objects.get(pk=source.pk)


def test_each_order_becomes_a_sentence_staff_can_hear_classified_by_its_payment(shop: ShopifyServer) -> None:
    paid = shop.add("Bob", "Norman", "199.00")
    refunded = shop.add("Ana", "Silva", "20.00", financial_status="refunded", currency="EUR")
    partly = shop.add("Lee", "Chan", "50.00", financial_status="partially_refunded")
    cancelled = shop.add("Kim", "Park", "12.00", cancelled_at="2026-11-25T11:00:00-05:00")  # hidden unless status=any
    guest = shop.add(customer=None, billing_address={"first_name": "三", "last_name": "张"}, total_price="8.00", currency="CNY")
    result = Poller().poll_source(shopify_source(f"{shop.base}/"))
    assert (result.new, result.rejected, result.error) == (5, 0, "")
    messages = {m.external_id: m for m in Message.objects.all()}
    bob = messages[str(paid.id)]
    assert bob.content == "New order #1001 from Bob Norman, total 199.00 USD"
    assert (bob.user_id, bob.user_name, bob.platform_type, bob.app) == ("207120552", "Bob Norman", "order.created", "web")
    assert bob.platform_created_at is not None and bob.platform_created_at.isoformat() == "2026-11-25T15:00:00+00:00"
    assert bob.category is not None and bob.category.slug == "order"
    assert messages[str(refunded.id)].content == "Order #1002 from Ana Silva refunded, total 20.00 EUR"
    assert messages[str(partly.id)].content == "Order #1003 from Lee Chan partially refunded, total 50.00 USD"
    for order in (refunded, partly):
        category = messages[str(order.id)].category
        assert category is not None and category.slug == "refund"
    assert messages[str(cancelled.id)].platform_type == "order.cancelled"
    assert (messages[str(guest.id)].content, messages[str(guest.id)].user_id) == ("New order #1005 from 张三, total 8.00 CNY", "")


def test_pages_follow_the_link_header_as_given_with_nothing_beside_page_info(shop: ShopifyServer) -> None:
    for _ in range(600):
        shop.add()
    source = shopify_source(shop.base)
    result = Poller().poll_source(source)
    assert (result.new, result.duplicates, result.error) == (600, 0, "")
    first, *rest = shop.requests
    assert first.path == "/admin/api/2024-10/orders.json"
    assert first.query == {"limit": "250", "status": "any"}
    assert [sorted(r.query) for r in rest] == [["limit", "page_info"]] * 2  # Shopify refuses anything else beside it
    assert reloaded(source).cursor == str(max(o.id for o in shop.orders))


def test_a_restarted_poller_resumes_after_the_greatest_order_id(shop: ShopifyServer) -> None:
    for _ in range(3):
        shop.add()
    source = shopify_source(shop.base)
    Poller().poll_source(source)  # without since_id the newest come first: the cursor is the greatest, not the last
    newest = str(shop.orders[-1].id)
    assert reloaded(source).cursor == newest

    for _ in range(2):
        shop.add()
    shop.requests.clear()
    again = Poller().poll_source(reloaded(source))
    assert shop.requests[0].query == {"since_id": newest, "limit": "250", "status": "any"}
    assert (again.new, again.duplicates, again.error) == (2, 0, "")
    assert Message.objects.count() == 5
    assert reloaded(source).cursor == str(shop.orders[-1].id)


def test_the_access_token_goes_in_its_header_and_a_wrong_one_is_the_source_error(
    shop: ShopifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.add()
    assert Poller().poll_source(shopify_source(shop.base)).new == 1
    assert shop.requests[0].headers["x-shopify-access-token"] == TOKEN

    monkeypatch.setenv("SHOPIFY_TOKEN", "shpat_revoked_0000")
    other = shopify_source(shop.base, name="shopify-2")
    Poller().poll_source(other)
    other = reloaded(other)
    assert other.consecutive_failures == 1
    assert other.last_error.startswith("HTTP 401 Unauthorized: ")
    assert "Invalid API key or access token" in other.last_error


def test_a_pinned_api_version_in_the_url_is_kept(shop: ShopifyServer) -> None:
    shop.add()
    result = Poller().poll_source(shopify_source(f"{shop.base}/admin/api/2024-10/orders.json"))
    assert (result.new, result.error) == (1, "")


def test_bad_orders_are_quarantined_with_their_reason_and_the_good_ones_beside_them_stored(shop: ShopifyServer) -> None:
    good = shop.add()
    shop.add(total_price=None)
    shop.add(customer="Bob Norman")
    shop.add(created_at=1764082800)
    shop.add(id="450789470-x")
    shop.add("Bob", "M\udcfcller")  # Latin-1 ü in a UTF-8 reply
    last = shop.add()
    source = shopify_source(shop.base)
    result = Poller().poll_source(source)
    assert (result.new, result.rejected, result.error) == (2, 5, "")
    assert sorted(Message.objects.values_list("external_id", flat=True)) == sorted([str(good.id), str(last.id)])
    assert sorted(Quarantine.objects.values_list("reason", flat=True)) == sorted(
        [
            "total_price is missing",
            "customer must be an object, not str",
            "created_at is int, not a time",
            "id is '450789470-x', not a positive whole number",
            "customer.last_name holds bytes that are not UTF-8 (0xfc)",
        ]
    )
    assert reloaded(source).cursor == str(last.id)


def test_a_rate_limited_reply_says_how_long_shopify_asks_to_wait(shop: ShopifyServer) -> None:
    shop.add()
    body = {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}
    shop.fail_next(Answer.json(body, 429, {"Retry-After": "2.0"}))
    source = shopify_source(shop.base)
    failed = Poller().poll_source(source)
    assert failed.error.startswith("HTTP 429 Too Many Requests: the platform asks to wait 2.0 s (Retry-After): ")
    assert "Exceeded 2 calls per second" in failed.error
    assert Poller().poll_source(reloaded(source)).new == 1


@pytest.mark.parametrize("case", BAD_REPLIES, ids=lambda case: case.name)
def test_a_bad_reply_is_the_source_error_and_the_next_poll_takes_the_good_one(
    shop: ShopifyServer, monkeypatch: pytest.MonkeyPatch, case: BadReply
) -> None:
    shop.add()
    source = shopify_source(shop.base)
    shop.fail_next(case.answer)
    with monkeypatch.context() as patch:
        for name, value in case.limits.items():
            patch.setattr(transport, name, value)
        failed = Poller().poll_source(source)
    assert case.error in failed.error
    source = reloaded(source)
    assert (source.consecutive_failures, source.cursor) == (1, "")
    assert case.error in source.last_error
    assert (Poller().poll_source(source).new, reloaded(source).consecutive_failures) == (1, 0)
