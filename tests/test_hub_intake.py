"""Polling the simulated platform into the database, each message once."""

from __future__ import annotations

import json
import time
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub.intake.interval import parse_interval
from hub.intake.models import Message, Quarantine, Source
from hub.intake.poller import Poller
from hub.outbox.models import Delivery
from hub.simulator.server import SimulatorServer
from tests.paths import SAMPLES
from tests.hub_helpers import read_samples, simulator_source

pytestmark = pytest.mark.django_db


def test_each_sample_is_stored_once_and_the_duplicate_line_is_dropped(simulator: SimulatorServer) -> None:
    source = simulator_source(simulator.url)
    result = Poller().poll_source(source)
    samples = read_samples(SAMPLES)
    unique_ids = {s["id"] for s in samples}
    assert len(unique_ids) < len(samples)  # the file repeats a line on purpose
    assert (result.new, result.duplicates, result.error) == (len(unique_ids), len(samples) - len(unique_ids), "")
    assert set(Message.objects.values_list("external_id", flat=True)) == unique_ids


def test_the_cursor_is_kept_so_a_second_poll_fetches_nothing_old(simulator: SimulatorServer) -> None:
    source = simulator_source(simulator.url)
    Poller().poll_source(source)
    source.refresh_from_db()
    assert source.cursor == str(len(simulator.feed))
    simulator.feed.add({"id": "m-new", "user": {"id": "u1", "name": "Anna"}, "content": "Anna placed order #1"})
    again = Poller().poll_source(Source.objects.get(pk=source.pk))
    assert (again.new, again.duplicates) == (1, 0)


def test_every_stored_message_is_classified_and_has_its_deliveries(simulator: SimulatorServer) -> None:
    Poller().poll_source(simulator_source(simulator.url))
    order = Message.objects.get(external_id="m-1001")
    assert (order.category and order.category.slug, order.rule) == ("order", "order-keywords")
    topics = set(order.deliveries.values_list("topic", flat=True))
    assert topics == {"shopcrier/events/order", "shopcrier/announce/ops/orders"}
    withdrawal = Message.objects.get(external_id="m-1002")
    assert set(withdrawal.deliveries.exclude(announcement_id="").values_list("topic", flat=True)) == {
        "shopcrier/announce/ops/finance",
        "shopcrier/announce/ops/finance/003",
    }
    # one announcement, two topics: a speaker following both says it once
    assert withdrawal.deliveries.exclude(announcement_id="").values("announcement_id").distinct().count() == 1
    assert Delivery.objects.filter(status=Delivery.PENDING).count() == Delivery.objects.count()


class _Canned(BaseHTTPRequestHandler):
    body = b""
    status = 200
    headers_out: dict[str, str] = {}

    def do_GET(self) -> None:
        # the first page is the canned body; asked again with a cursor, there is nothing new
        body = b'{"data": {"items": []}}' if "since=" in self.path and self.status == 200 else self.body
        self.send_response(self.status)
        for name, value in self.headers_out.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[tuple[str, type[_Canned]]]:
    handler = type("Handler", (_Canned,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/messages", handler
    finally:
        server.shutdown()
        server.server_close()


def test_an_html_error_page_with_status_200_is_recorded_as_the_source_error(canned: tuple[str, type[_Canned]]) -> None:
    url, handler = canned
    handler.body = b"<html><body>502 Bad Gateway</body></html>"
    source = simulator_source(url)
    result = Poller().poll_source(source)
    assert "not JSON (looks like an HTML page)" in result.error
    source.refresh_from_db()
    assert (source.consecutive_failures, source.cursor) == (1, "")
    assert "HTML" in source.last_error
    # and the reply itself is kept for an admin to read
    kept = Quarantine.objects.get(source=source)
    assert "HTML" in kept.reason and "502 Bad Gateway" in kept.raw


def test_bad_items_are_quarantined_with_their_reason_and_good_ones_beside_them_kept(
    canned: tuple[str, type[_Canned]],
) -> None:
    url, handler = canned
    items = [
        {"seq": 1, "id": "ok-1", "content": "客户甲提交了订单1"},
        {"seq": 2, "id": "bad-1"},
        {"seq": 3, "id": "bad-2", "content": {"nested": True}},
        "not an object",
        {"seq": 5, "id": "ok-2", "content": "Customer B placed order #2"},
    ]
    handler.body = json.dumps({"data": {"items": items}}).encode()
    source = simulator_source(url)
    result = Poller().poll_source(source)
    assert (result.new, result.rejected, result.error) == (2, 3, "")
    reasons = sorted(Quarantine.objects.values_list("reason", flat=True))
    assert any("content (content) is missing" in r for r in reasons)
    assert any("content (content) must be text, not dict" in r for r in reasons)
    assert any("item must be an object, not str" in r for r in reasons)
    source.refresh_from_db()
    assert source.cursor == "5"
    # a success, with the quarantine noted in the source's health
    assert source.consecutive_failures == 0
    assert source.last_error.startswith("3 item(s) quarantined: ")


def test_a_bad_item_fetched_again_is_quarantined_once(canned: tuple[str, type[_Canned]]) -> None:
    url, handler = canned
    handler.body = json.dumps({"data": {"items": [{"seq": 1, "id": "bad"}]}}).encode()
    source = simulator_source(url)
    Poller().poll_source(source)
    Source.objects.filter(pk=source.pk).update(cursor="")  # as after a crash before the cursor moved
    Poller().poll_source(Source.objects.get(pk=source.pk))
    assert Quarantine.objects.count() == 1


@pytest.mark.parametrize(("text", "seconds"), [("5s", 5), ("2m", 120), ("1h", 3600), (" 10 s ", 10)])
def test_intervals_are_read_in_seconds_minutes_or_hours(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["5", "5d", "0s", "25h", "-1s", "1.5m", ""])
def test_a_bad_interval_is_refused_naming_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(text)


def test_a_message_stored_by_another_writer_meanwhile_is_dropped_and_the_rest_kept(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.intake import store

    source = simulator_source(simulator.url)
    simulator.feed.add({"id": "raced", "user": {"id": "u"}, "content": "客户甲提交了订单1"})
    Poller().poll_source(source)
    before = Message.objects.count()
    # as if a webhook stored "raced" between the lookup and the insert: the lookup sees nothing
    monkeypatch.setattr(store, "known_keys", lambda source, keys: set())
    Source.objects.filter(pk=source.pk).update(cursor="")
    simulator.feed.add({"id": "fresh", "user": {"id": "u"}, "content": "客户乙提交了订单2"})
    result = Poller().poll_source(Source.objects.get(pk=source.pk))
    assert (result.new, result.error) == (1, "")
    assert Message.objects.count() == before + 1
    assert Message.objects.get(external_id="fresh").deliveries.count() == 2


def test_the_next_poll_waits_the_interval_with_jitter_and_backs_off_on_failure() -> None:
    source = Source(name="s", url="http://127.0.0.1:1/", interval_seconds=10)
    poller = Poller()
    healthy = [poller.delay(source) for _ in range(200)]
    assert 9.0 <= min(healthy) < max(healthy) <= 11.0  # ±10 %, and not all equal
    source.consecutive_failures = 3
    assert 72.0 <= poller.delay(source) <= 88.0  # doubled per failure
    source.consecutive_failures = 40
    assert poller.delay(source) <= 330.0  # capped at five minutes (plus jitter)


def test_a_success_records_the_source_health(simulator: SimulatorServer) -> None:
    source = simulator_source(simulator.url)
    Source.objects.filter(pk=source.pk).update(consecutive_failures=4, last_error="HTTP 500")
    Poller().poll_source(Source.objects.get(pk=source.pk))
    source.refresh_from_db()
    assert (source.consecutive_failures, source.last_error) == (0, "")
    assert source.last_success_at is not None and source.last_latency_ms is not None


def test_an_unreachable_platform_is_recorded_and_counted() -> None:
    from mqtt.broker import free_port

    source = simulator_source(f"http://127.0.0.1:{free_port()}/api/messages")
    for _ in range(2):
        result = Poller().poll_source(Source.objects.get(pk=source.pk))
    source.refresh_from_db()
    assert "request failed" in result.error
    assert source.consecutive_failures == 2 and source.last_success_at is None


def test_the_source_command_refuses_a_bad_name_or_url_naming_each() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="name: letters, digits, - and _ only; url: Enter a valid URL"):
        call_command("source", "bad name", "--url", "not a url")
    assert not Source.objects.exists()
    call_command("source", "shop", "--url", "http://127.0.0.1:8001/api/messages", "--adapter", "simulator", "--interval", "2m")
    call_command("source", "shop", "--url", "http://127.0.0.1:8002/api/messages", "--adapter", "simulator")
    source = Source.objects.get()
    assert (source.url, source.interval_seconds, source.cursor_config["param"]) == ("http://127.0.0.1:8002/api/messages", 5, "since")


def test_retry_after_from_the_platform_holds_off_the_next_poll(canned: tuple[str, type[_Canned]]) -> None:
    url, handler = canned
    handler.status, handler.body = 429, b'{"error": "slow down"}'
    handler.headers_out = {"Retry-After": "120"}
    source = simulator_source(url)
    poller = Poller()
    poller.poll_due()
    assert poller._due[source.pk] - time.monotonic() > 100
    source.refresh_from_db()
    assert "Retry-After" in source.last_error and source.consecutive_failures == 1


def test_an_unexpected_fault_while_storing_is_recorded_not_raised(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DataError

    from hub.intake import poller as poller_module

    def broken(*args: object) -> None:
        raise DataError("value too long for type character varying(200)")

    monkeypatch.setattr(poller_module, "store_page", broken)
    source = simulator_source(simulator.url)
    result = Poller().poll_source(source)
    assert "internal error: DataError" in result.error
    source.refresh_from_db()
    assert source.consecutive_failures == 1 and "value too long" in source.last_error


def test_an_old_platform_message_is_stored_but_its_announcement_already_expired(simulator: SimulatorServer) -> None:
    simulator.feed.add(
        {"id": "old", "user": {"id": "u"}, "content": "客户甲提交了订单1", "created_at": "2020-01-01T00:00:00Z"}
    )
    Poller().poll_source(simulator_source(simulator.url))
    old = Message.objects.get(external_id="old")
    announcement = old.deliveries.exclude(announcement_id="").get()
    assert announcement.expires_at is not None and announcement.expires_at.year == 2020
    fresh = Message.objects.get(external_id="m-1001").deliveries.exclude(announcement_id="").get()
    assert fresh.expires_at is not None and fresh.expires_at > fresh.created_at
