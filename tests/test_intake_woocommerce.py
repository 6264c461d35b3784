"""The WooCommerce adapter against a real server speaking WooCommerce REST v3 orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from hub.intake.adapters import WooCommerceAdapter, transport
from hub.intake.models import Message, Quarantine, Source
from hub.intake.poller import Poller
from tests.bad_replies import BAD_REPLIES, BadReply
from tests.platform_servers import Answer, WooServer

pytestmark = pytest.mark.django_db

KEY, SECRET = "ck_4f1d2a7c9e0b3f5a8d6c1e2b7a9f0d3c5e8b1a4d", "cs_9b2e5d8a1c4f7e0b3d6a9c2f5e8b1d4a7c0f3e6b"
AUTH = {"type": "woocommerce", "key_env": "WC_KEY", "secret_env": "WC_SECRET"}
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[WooServer]:
    monkeypatch.setenv("WC_KEY", KEY)
    monkeypatch.setenv("WC_SECRET", SECRET)
    with WooServer(KEY, SECRET) as server:
        yield server


def woo_source(url: str, **settings: Any) -> Source:
    # The generic defaults (items_path, fields, cursor param) stay: the adapter must not read them.
    return Source.objects.create(**{"name": "woo", "adapter": "woocommerce", "url": url, "auth": AUTH, **settings})


def reloaded(source: Source) -> Source:
    return Source.objects.get(pk=source.pk)


def test_each_order_becomes_a_sentence_staff_can_hear_classified_by_its_status(shop: WooServer) -> None:
    shop.add(START, "Jane", "Doe", "89.90", customer_id=12)
    shop.add(START + timedelta(minutes=1), "Ana", "Silva", "15.00", status="refunded", currency="EUR")
    shop.add(START + timedelta(minutes=2), "三", "张", "299.00", currency="CNY")
    shop.add(START + timedelta(minutes=3), "", "", "5.00", status="cancelled")
    result = Poller().poll_source(woo_source(shop.site))
    assert (result.new, result.rejected, result.error) == (4, 0, "")
    messages = {m.external_id: m for m in Message.objects.all()}
    jane = messages["1001"]
    assert jane.content == "New order #1001 from Jane Doe, total 89.90 USD"
    assert (jane.user_id, jane.user_name, jane.platform_type, jane.app) == ("12", "Jane Doe", "order.created", "checkout")
    assert jane.platform_created_at == START
    assert jane.category is not None and jane.category.slug == "order"
    refund = messages["1002"]
    assert refund.content == "Order #1002 from Ana Silva refunded, total 15.00 EUR"
    assert refund.category is not None and (refund.category.slug, refund.rule) == ("refund", "type-refund")
    assert messages["1003"].content == "New order #1003 from 张三, total 299.00 CNY"
    assert messages["1004"].content == "Order #1004 from a guest cancelled, total 5.00 USD"
    assert messages["1004"].user_id == ""


def test_orders_arrive_over_several_pages_by_the_link_header_each_once(shop: WooServer) -> None:
    for n in range(250):
        shop.add(START + timedelta(seconds=n))
    source = woo_source(shop.site)
    result = Poller().poll_source(source)
    assert (result.new, result.duplicates, result.error) == (250, 0, "")
    first, *rest = shop.requests
    assert first.query == {"orderby": "date", "order": "asc", "per_page": "100", "dates_are_gmt": "true"}
    assert [r.query["page"] for r in rest] == ["2", "3"]  # the Link header's URLs, as WordPress built them
    assert Message.objects.count() == 250
    assert reloaded(source).cursor == "2026-11-25T10:04:09Z"


def test_a_restarted_poller_asks_after_the_cursor_less_the_overlap_and_takes_late_orders_once(shop: WooServer) -> None:
    shop.add(START)
    shop.add(START + timedelta(minutes=10))
    source = woo_source(shop.site, cursor_config={"overlap": 600})
    Poller().poll_source(source)
    assert reloaded(source).cursor == "2026-11-25T10:10:00Z"

    shop.add(START + timedelta(minutes=9, seconds=59))  # committed after the poll, dated before the cursor
    shop.add(START + timedelta(minutes=11))
    shop.requests.clear()
    again = Poller().poll_source(reloaded(source))
    assert (again.new, again.duplicates, again.error) == (2, 1, "")  # read as shop time (UTC-5), both are missed
    assert shop.requests[0].query["after"] == "2026-11-25T10:00:00"  # GMT, as dates_are_gmt=true says
    assert shop.requests[0].query["dates_are_gmt"] == "true"
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["1001", "1002", "1003", "1004"]
    assert reloaded(source).cursor == "2026-11-25T10:11:00Z"


@pytest.mark.parametrize("suffix", ["", "/", "/wp-json/wc/v3/orders"], ids=["site", "site-slash", "endpoint"])
def test_the_source_url_is_the_site_address_even_in_a_subdirectory_or_the_full_endpoint(
    monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setenv("WC_KEY", KEY)
    monkeypatch.setenv("WC_SECRET", SECRET)
    with WooServer(KEY, SECRET, site_path="/store") as shop:
        shop.add(START)
        result = Poller().poll_source(woo_source(shop.site + suffix))
        assert (result.new, result.error) == (1, "")
        assert shop.requests[0].path == "/store/wp-json/wc/v3/orders"


def test_keys_may_go_in_the_query_and_stay_out_of_the_links_the_poller_sees(shop: WooServer) -> None:
    for n in range(150):
        shop.add(START + timedelta(seconds=n))
    source = woo_source(shop.site, auth={**AUTH, "in": "query"})
    page = WooCommerceAdapter().fetch(source, requests.Session())
    assert page.next_url is not None and "page=2" in page.next_url
    assert "consumer" not in page.next_url and SECRET not in page.next_url
    assert Poller().poll_source(source).new == 150
    assert all(r.query["consumer_secret"] == SECRET for r in shop.requests)
    assert "authorization" not in shop.requests[0].headers


def test_wrong_keys_are_the_source_error_with_woocommerce_s_reason(shop: WooServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WC_SECRET", "cs_revoked")
    source = woo_source(shop.site)
    Poller().poll_source(source)
    source = reloaded(source)
    assert source.consecutive_failures == 1
    assert source.last_error.startswith("HTTP 401 Unauthorized: ")
    assert "Sorry, you cannot list resources." in source.last_error


def test_bad_orders_are_quarantined_with_their_reason_and_the_good_ones_beside_them_stored(shop: WooServer) -> None:
    shop.add(START)
    shop.add(START + timedelta(minutes=1), total=["89.90"])
    shop.add(START + timedelta(minutes=2), billing="Jane Doe")
    shop.add(START + timedelta(minutes=3), date_created_gmt="yesterday")
    shop.add(START + timedelta(minutes=4), id=None)
    shop.add(START + timedelta(minutes=5), "Ren\udce9e", "Roux")  # Latin-1 bytes in a UTF-8 reply
    shop.add(START + timedelta(minutes=6), total="eighty")
    shop.add(START + timedelta(minutes=7))
    source = woo_source(shop.site)
    result = Poller().poll_source(source)
    assert (result.new, result.rejected, result.error) == (2, 6, "")
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["1001", "1008"]
    assert sorted(Quarantine.objects.values_list("reason", flat=True)) == sorted(
        [
            "total is list, not an amount",
            "billing must be an object, not str",
            "date_created_gmt 'yesterday' is not an ISO 8601 time",
            "id is missing",
            "billing.first_name holds bytes that are not UTF-8 (0xe9)",
            "total 'eighty' is not an amount",
        ]
    )
    assert reloaded(source).cursor == "2026-11-25T10:07:00Z"  # past the bad ones: they are not fetched for ever


@pytest.mark.parametrize("case", BAD_REPLIES, ids=lambda case: case.name)
def test_a_bad_reply_is_the_source_error_and_the_next_poll_takes_the_good_one(
    shop: WooServer, monkeypatch: pytest.MonkeyPatch, case: BadReply
) -> None:
    shop.add(START)
    source = woo_source(shop.site)
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


def test_a_wordpress_critical_error_page_is_named_as_an_html_page(shop: WooServer) -> None:
    page = b"<!DOCTYPE html><html><body><p>There has been a critical error on this website.</p></body></html>"
    shop.fail_next(Answer(200, page, {"Content-Type": "text/html; charset=UTF-8"}))
    result = Poller().poll_source(woo_source(shop.site))
    assert result.error.startswith("reply is not JSON (looks like an HTML page)")
