"""The generic adapter against a real JSON API: cursors, pages, auth, ETag, and every bad reply."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from hub.intake.adapters import GenericAdapter, transport
from hub.intake.models import Message, Quarantine, Source
from hub.intake.poller import MAX_PAGES_PER_POLL, Poller
from tests.bad_replies import BAD_REPLIES, BadReply
from tests.platform_servers import Answer, EndlessLinkServer, GenericServer, LoopingLinkServer

pytestmark = pytest.mark.django_db

FIELDS = {
    "id": "id",
    "user_id": "user.id",
    "user": "user.name",
    "content": "content",
    "type": "type",
    "app": "app",
    "created_at": "updated_at",
}


@pytest.fixture
def api() -> Iterator[GenericServer]:
    with GenericServer() as server:
        yield server


def generic_source(url: str, **settings: Any) -> Source:
    defaults: dict[str, Any] = {
        "name": "shop",
        "adapter": "generic",
        "url": url,
        "items_path": "data.items",
        "fields": FIELDS,
        "cursor_config": {"param": "since_id", "field": "id"},
    }
    return Source.objects.create(**{**defaults, **settings})


def reloaded(source: Source) -> Source:
    """The source as a freshly started hub would read it."""
    return Source.objects.get(pk=source.pk)


def stored_ids() -> list[str]:
    return sorted(Message.objects.values_list("external_id", flat=True), key=int)


def test_it_stores_each_item_once_and_resumes_from_the_cursor_after_a_restart(api: GenericServer) -> None:
    api.add(3)
    source = generic_source(f"{api.base}/api/messages")
    first = Poller().poll_source(source)
    assert (first.new, first.error) == (3, "")
    assert reloaded(source).cursor == "3"

    api.add(2)
    api.requests.clear()
    again = Poller().poll_source(reloaded(source))  # a new process: nothing kept in memory
    assert (again.new, again.duplicates) == (2, 0)
    assert api.requests[0].query == {"since_id": "3"}
    assert stored_ids() == ["1", "2", "3", "4", "5"]
    message = Message.objects.get(external_id="4")
    assert (message.user_id, message.user_name, message.platform_type, message.app) == ("u4", "Customer 4", "order.created", "web")
    assert message.platform_created_at is not None and message.platform_created_at.isoformat() == "2026-11-25T10:04:00+00:00"


def test_a_timestamp_cursor_is_the_latest_time_compared_as_times_and_looks_back_by_the_overlap(api: GenericServer) -> None:
    # As text "17:00+08:00" sorts after "10:00Z"; as times it is an hour earlier.
    api.add(updated_at="2026-11-25T17:00:00+08:00")
    api.add(updated_at="2026-11-25T10:00:00Z")
    cursor = {"param": "updated_after", "field": "updated_at", "type": "timestamp", "overlap": 120}
    source = generic_source(f"{api.base}/api/messages", cursor_config=cursor)
    assert Poller().poll_source(source).new == 2
    assert reloaded(source).cursor == "2026-11-25T10:00:00Z"

    api.add(updated_at="2026-11-25T09:59:30Z")  # committed late, inside the overlap window
    api.requests.clear()
    again = Poller().poll_source(reloaded(source))
    assert api.requests[0].query == {"updated_after": "2026-11-25T09:58:00Z"}
    assert (again.new, again.duplicates, again.error) == (1, 1, "")  # the repeat is dropped by its key
    assert stored_ids() == ["1", "2", "3"]
    assert reloaded(source).cursor == "2026-11-25T10:00:00Z"


@pytest.mark.parametrize(
    ("paging", "pagination"),
    [
        ("link_header", {"type": "link_header"}),
        ("next", {"type": "next", "path": "links.next"}),
        ("page", {"type": "page", "param": "page", "size_param": "per_page", "size": 100}),
    ],
)
def test_one_poll_follows_every_page_and_stores_each_item_once(paging: str, pagination: dict[str, Any]) -> None:
    with GenericServer(paging=paging, page_size=100) as api:
        api.add(250)
        source = generic_source(f"{api.base}/api/messages", pagination=pagination)
        result = Poller().poll_source(source)
        assert (result.new, result.duplicates, result.error) == (250, 0, "")
        assert [r.query.get("page", "1") for r in api.requests] == ["1", "2", "3"]
        assert reloaded(source).cursor == "250"

        api.add(1)
        api.requests.clear()
        assert Poller().poll_source(reloaded(source)).new == 1
        assert api.requests[0].query["since_id"] == "250"
    assert Message.objects.count() == 251


@pytest.mark.parametrize(
    ("auth", "expects"),
    [
        ({"type": "bearer", "token_env": "SHOP_SECRET"}, ("authorization", "Bearer s3cret-value")),
        ({"type": "basic", "user": "hub", "password_env": "SHOP_SECRET"}, ("authorization", "Basic aHViOnMzY3JldC12YWx1ZQ==")),
        ({"type": "header", "name": "X-Api-Key", "value_env": "SHOP_SECRET"}, ("x-api-key", "s3cret-value")),
        ({"type": "query", "param": "api_key", "value_env": "SHOP_SECRET"}, ("?api_key", "s3cret-value")),
    ],
    ids=["bearer", "basic", "header", "query"],
)
def test_each_kind_of_auth_reaches_the_platform(
    api: GenericServer, monkeypatch: pytest.MonkeyPatch, auth: dict[str, str], expects: tuple[str, str]
) -> None:
    monkeypatch.setenv("SHOP_SECRET", "s3cret-value")
    api.auth = expects
    api.add(1)
    result = Poller().poll_source(generic_source(f"{api.base}/api/messages", auth=auth))
    assert (result.new, result.error) == (1, "")


def test_a_missing_secret_is_the_source_error_naming_its_variable(api: GenericServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOP_SECRET", raising=False)
    source = generic_source(f"{api.base}/api/messages", auth={"type": "bearer", "token_env": "SHOP_SECRET"})
    Poller().poll_source(source)
    source = reloaded(source)
    assert (source.consecutive_failures, source.last_error) == (1, "auth bearer: environment variable SHOP_SECRET is not set")
    assert api.requests == []


def test_a_secret_in_the_query_never_reaches_the_recorded_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the error names the URL
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SHOP_SECRET", "s3cret/value+1")
    source = generic_source(f"http://127.0.0.1:{port}/api/messages", auth={"type": "query", "param": "key", "value_env": "SHOP_SECRET"})
    result = Poller().poll_source(source)
    assert "request failed" in result.error and "key=***" in result.error
    assert "s3cret" not in reloaded(source).last_error


def test_an_unchanged_listing_answers_304_to_its_etag_which_is_no_error(api: GenericServer) -> None:
    api.etags = True
    api.add(2)
    source = generic_source(f"{api.base}/api/messages")
    Poller().poll_source(source)
    source = reloaded(source)
    assert source.etag and source.cursor == "2"

    api.requests.clear()
    again = Poller().poll_source(source)
    assert api.requests[0].headers["if-none-match"] == source.etag
    assert (again.new, again.error) == (0, "")
    source = reloaded(source)
    assert (source.cursor, source.consecutive_failures, source.last_success_at is not None) == ("2", 0, True)

    api.add(1)
    assert Poller().poll_source(source).new == 1


@pytest.mark.parametrize("case", BAD_REPLIES, ids=lambda case: case.name)
def test_a_bad_reply_is_the_source_error_and_the_next_poll_takes_the_good_one(
    api: GenericServer, monkeypatch: pytest.MonkeyPatch, case: BadReply
) -> None:
    api.add(2)
    source = generic_source(f"{api.base}/api/messages")
    api.fail_next(case.answer)
    with monkeypatch.context() as patch:
        for name, value in case.limits.items():
            patch.setattr(transport, name, value)
        failed = Poller().poll_source(source)
    assert case.error in failed.error
    source = reloaded(source)
    assert (source.consecutive_failures, source.cursor, Message.objects.count()) == (1, "", 0)
    assert case.error in source.last_error

    recovered = Poller().poll_source(source)
    assert (recovered.new, recovered.error) == (2, "")
    assert reloaded(source).consecutive_failures == 0


def test_bad_items_are_quarantined_with_their_reason_and_the_good_ones_beside_them_stored(api: GenericServer) -> None:
    api.add(1)
    api.add(1, content=None)
    api.add(1, content=["a", "list"])
    api.add(1, updated_at="yesterday")
    api.add(1, user={"id": "u5", "name": "Ren\udce9e"})  # the byte 0xE9: Latin-1, not UTF-8
    api.add(1, content=float("nan"))
    api.add(1, user={"id": "u7", "name": "x" * 500})
    api.add(1)
    source = generic_source(f"{api.base}/api/messages")
    result = Poller().poll_source(source)
    assert (result.new, result.rejected, result.error) == (2, 6, "")
    assert stored_ids() == ["1", "8"]
    reasons = sorted(Quarantine.objects.values_list("reason", flat=True))
    assert reasons == sorted(
        [
            "content (content) is missing or empty",
            "content (content) must be text, not list",
            "created_at (updated_at): 'yesterday' is not an ISO 8601 time",
            "user.name holds bytes that are not UTF-8 (0xe9)",
            "content is nan, which JSON does not allow",
            "user (user.name) is 500 characters long (at most 200)",
        ]
    )
    assert "Ren\\udce9e" in Quarantine.objects.get(reason__contains="0xe9").raw
    source = reloaded(source)
    assert (source.cursor, source.consecutive_failures) == ("8", 0)


def test_a_reply_in_a_declared_charset_is_read_in_that_charset(api: GenericServer) -> None:
    body = {"data": {"items": [{"id": 1, "content": "客户张三提交了订单10023"}]}}
    api.fail_next(Answer(200, json.dumps(body, ensure_ascii=False).encode("gbk"), {"Content-Type": "application/json; charset=GBK"}))
    result = Poller().poll_source(generic_source(f"{api.base}/api/messages"))
    assert (result.new, result.error) == (1, "")
    assert Message.objects.get().content == "客户张三提交了订单10023"


def test_an_endless_link_chain_stops_at_the_page_limit_without_error_keeping_every_page() -> None:
    with EndlessLinkServer() as api:
        source = generic_source(f"{api.base}/api/messages", pagination={"type": "link_header"})
        result = Poller().poll_source(source)
        assert (result.new, result.error) == (MAX_PAGES_PER_POLL, "")
        assert len(api.requests) == MAX_PAGES_PER_POLL
    source = reloaded(source)
    assert (source.cursor, source.consecutive_failures) == (str(MAX_PAGES_PER_POLL), 0)


def test_a_link_back_to_an_earlier_page_is_the_source_error_and_the_pages_before_it_are_kept() -> None:
    with LoopingLinkServer() as api:
        source = generic_source(f"{api.base}/api/messages", pagination={"type": "link_header"})
        result = Poller().poll_source(source)
    assert "pagination loops back to" in result.error
    assert (result.new, result.duplicates) == (2, 1)
    assert reloaded(source).consecutive_failures == 1


def test_a_next_link_to_another_host_is_refused_and_quarantined_and_the_page_kept(api: GenericServer) -> None:
    body = {"data": {"items": [{"id": 1, "content": "Anna placed order #1"}]}, "links": {"next": "http://elsewhere.example/steal"}}
    api.fail_next(Answer.json(body))
    source = generic_source(f"{api.base}/api/messages", pagination={"type": "next", "path": "links.next"})
    result = Poller().poll_source(source)
    assert (result.new, result.rejected, result.error) == (1, 1, "")
    assert len(api.requests) == 1
    assert "leaves 127.0.0.1" in Quarantine.objects.get().reason


def test_a_self_link_ends_the_listing(api: GenericServer) -> None:
    source = generic_source(f"{api.base}/api/messages", pagination={"type": "next", "path": "links.next"})
    page = GenericAdapter().fetch(source, requests.Session())
    assert page.next_url is None  # the canned server sends links.next = null
    api.fail_next(Answer.json({"data": {"items": [{"id": 1, "content": "x"}]}, "links": {"next": "/api/messages"}}))
    assert GenericAdapter().fetch(source, requests.Session()).next_url is None


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({"pagination": {"type": "cursorish"}}, "pagination type 'cursorish' is not link_header, next or page"),
        ({"pagination": {"type": "next"}}, 'pagination "next" needs the path'),
        ({"cursor_config": {"type": "sequence"}}, "cursor type 'sequence' is not id or timestamp"),
        ({"cursor_config": {"type": "timestamp", "overlap": "5m"}}, "cursor overlap '5m' is not a number of seconds"),
        ({"auth": {"type": "oauth"}}, "auth type 'oauth' is not"),
    ],
)
def test_a_bad_setting_is_the_source_error_saying_what_is_accepted(api: GenericServer, settings: dict[str, Any], error: str) -> None:
    result = Poller().poll_source(generic_source(f"{api.base}/api/messages", **settings))
    assert error in result.error
