"""Benchmarks for the dashboard (``make bench``): figures printed beside a baseline from the same run.

1. The feed's server time with 100,000 stored messages, for an admin (everything)
   and an orders clerk (their department, through the audience subquery), grouped (the
   default page), one by one and searched. Baseline: the newest 50 messages with no roles, no state, no template.
2. Stored → shown in the browser at 20 messages a second through the real stack
   (webhook → ``shopcrier-hub run`` outbox → Mosquitto → the web process → socket
   → Chromium), on a grouped page and a one-by-one page, with where the time goes (the
   web process hearing of it, its socket sending it, the page showing it). Baseline:
   stored → the Event on MQTT (what the hub alone costs).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.test import Client

import dashboard.clock
import mqtt
from dashboard import feed, groups
from dashboard.roles import viewer_of
from hub.intake.models import Message, Source
from hub.outbox.models import Delivery
from hub.rules.models import Category
from mqtt.broker import Mosquitto
from tests.browser_helpers import DESKTOP, Stack, chromium, log_in, start_stack, stop_stack
from tests.conftest import AlsaSink
from tests.dashboard_helpers import admin, client_for, orders_clerk
from tests.mqtt_helpers import Watcher

pytestmark = pytest.mark.bench

STORED = 100_000
RUNS = 40
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
DEPARTMENTS = ("orders", "service", "finance", "tech")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(work: Callable[[], object], runs: int = RUNS) -> list[float]:
    work()  # warm the caches once
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        found.append((time.perf_counter() - started) * 1000)
    return found


def line(name: str, ms: list[float]) -> str:
    return f"  {name:<46} p50 {percentile(ms, 50):7.1f} ms   p99 {percentile(ms, 99):7.1f} ms"


def store_many(n: int) -> None:
    source = Source.objects.create(name="bench", url="http://127.0.0.1:1/")
    categories = [Category.objects.get(slug=s) for s in ("order", "refund", "withdrawal", "system")]
    for start in range(0, n, 5000):
        batch = [
            Message(source=source, dedup_key=uuid.uuid4().hex, content=f"客户{i}提交了订单{100000 + i}", user_name=f"用户{i % 977}",
                    category=categories[i % 4], received_at=NOW - timedelta(seconds=n - i))
            for i in range(start, min(n, start + 5000))
        ]
        Message.objects.bulk_create(batch)  # SQLite and PostgreSQL both hand the new keys back
        rows = []
        for m in batch:
            dept = DEPARTMENTS[m.pk % 4]
            rows.append(Delivery(message=m, topic=f"shopcrier/events/{m.category.slug if m.category else 'other'}", payload=b"{}"))
            rows.append(Delivery(message=m, announcement_id=uuid.uuid4().hex, topic=f"shopcrier/announce/ops/{dept}",
                                 payload=b"{}", expires_at=m.received_at + timedelta(minutes=30), status="sent"))
        Delivery.objects.bulk_create(rows)


@pytest.mark.django_db
def test_bench_feed_server_time_with_100000_stored_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard.clock, "now", lambda: NOW)
    started = time.perf_counter()
    store_many(STORED)
    filled = time.perf_counter() - started
    boss, clerk = admin(), orders_clerk()
    boss_viewer, clerk_viewer = viewer_of(boss), viewer_of(clerk)
    assert boss_viewer is not None and clerk_viewer is not None
    boss_client, clerk_client = client_for(boss), client_for(clerk)
    results = {
        "baseline: newest 50, no roles or template": timed(lambda: list(Message.objects.order_by("-pk")[:50])),
        "feed query, admin": timed(lambda: feed.page(boss_viewer, feed.Filters(), NOW)),
        "feed query, orders clerk": timed(lambda: feed.page(clerk_viewer, feed.Filters(), NOW)),
        "grouped feed query, admin": timed(lambda: groups.page(boss_viewer, feed.Filters(), NOW)),
        "grouped feed query, orders clerk": timed(lambda: groups.page(clerk_viewer, feed.Filters(), NOW)),
        "open count, orders clerk": timed(lambda: feed.open_count(clerk_viewer, NOW)),
        "GET / (whole page), admin": timed(lambda: boss_client.get("/")),
        "GET / (whole page), orders clerk": timed(lambda: clerk_client.get("/")),
        "GET /?group=0 (one by one), orders clerk": timed(lambda: clerk_client.get("/?group=0")),
        "GET /?q=订单199999 (search), orders clerk": timed(lambda: clerk_client.get("/?q=订单199999"), runs=10),
        "GET /?state=acknowledged, orders clerk": timed(lambda: clerk_client.get("/?state=acknowledged"), runs=10),
    }
    print(f"\nfeed server time, {STORED:,} stored messages (filled in {filled:.0f} s), {RUNS} runs each:")
    for name, ms in results.items():
        print(line(name, ms))
    assert len(feed.page(clerk_viewer, feed.Filters(), NOW)) == feed.PAGE


@pytest.fixture
def stack(tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink) -> Iterator[Stack]:
    running = start_stack(tmp_path, broker.url, alsa_sink.env)
    try:
        yield running
    finally:
        stop_stack(running)


def test_bench_stored_to_shown_in_the_browser_at_20_messages_a_second(stack: Stack, broker: Mosquitto, tmp_path: Path) -> None:
    n, rate = 300, 20.0
    watcher = Watcher(broker.url, mqtt.Event.subscription())
    seen_on_mqtt: dict[int, float] = {}
    done = threading.Event()

    def stamp() -> None:  # the moment each Event arrives, not when the test gets round to looking
        while not done.is_set():
            try:
                item = watcher.link.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(item, mqtt.Received):
                seen_on_mqtt[mqtt.Event.from_json(item.payload).message_id] = time.time()

    stamper = threading.Thread(target=stamp, daemon=True)
    stamper.start()
    pages: dict[str, dict[int, dict[str, float]]] = {}
    for browser in chromium():
        clerk = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP)  # grouped: the default page
        single = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP)
        single.goto(stack.url + "/?group=0")
        single.wait_for_function("window.ShopCrier && window.ShopCrier.connected === true")
        started = time.monotonic()
        for i in range(n):
            time.sleep(max(0.0, started + i / rate - time.monotonic()))
            reply = stack.post_order({"id": f"bench-{i}", "user": {"id": "u", "name": "张三"}, "content": f"客户张三提交了订单{50000 + i}"})
            assert reply.status_code == 200, reply.text
        sent_for = time.monotonic() - started
        for name, page in (("grouped", clerk), ("one by one", single)):
            # feed.js notes when it showed each message (and the server's timing the socket item carried)
            page.wait_for_function(f"Object.keys(window.ShopCrier.timing || {{}}).length >= {n}", timeout=60000)
            pages[name] = {int(k): v for k, v in page.evaluate("window.ShopCrier.timing").items()}
    done.set()
    stamper.join()
    with sqlite3.connect(tmp_path / "hub" / "hub.sqlite3") as conn:
        stored = {pk: datetime.fromisoformat(at).replace(tzinfo=timezone.utc).timestamp()
                  for pk, at in conn.execute("SELECT id, received_at FROM intake_message")}
    to_mqtt = [(seen_on_mqtt[pk] - stored[pk]) * 1000 for pk in stored if pk in seen_on_mqtt]
    print(f"\nstored → shown, {n} orders at {rate:.0f}/s (sent in {sent_for:.1f} s), one clerk's Chromium, two pages:")
    print(line("baseline: stored → Event on MQTT (hub only)", to_mqtt))
    for name, timing in pages.items():
        t = {pk: timing[pk] for pk in stored if pk in timing}
        print(f" {name} page:")
        print(line("stored → heard by the web process", [(v["heard"] - stored[pk]) * 1000 for pk, v in t.items()]))
        print(line("heard → sent on the socket", [(v["sent"] - v["heard"]) * 1000 for pk, v in t.items()]))
        print(line("sent → shown by the page", [v["shown"] - v["sent"] * 1000 for v in t.values()]))
        print(line("stored → shown in the browser", [v["shown"] - stored[pk] * 1000 for pk, v in t.items()]))
        assert len(t) == n
