"""Benchmarks for statistics and retention (``make bench``), figures beside baselines from the same run.

1. Rollup cost per stored message: messages stored through the real intake path
   (``store_page``: classification, routing, deliveries), then the fill for their
   day. Baselines: the store alone (target: store + fill ≤ 1.2 × store), and a
   bare bulk insert of the same rows.
2. Each report's server time (JSON API, whole year, admin and an orders manager)
   with SHOPCRIER_BENCH_STATS_MESSAGES (default 1,000,000) messages over a year,
   generated with bulk inserts and filled. Target ≤ 200 ms. Baseline: the per-category
   count over the year read straight from the raw messages (what reports avoid).
3. Purge rate: messages (with their deliveries, receipts, acknowledgements) removed
   per second by ``purge`` at the default 90-day retention.

Django's test database on SQLite (in memory), on this shared 2-core machine.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest
from django.db.models import Count

import dashboard.clock
from hub.attention.models import Acknowledgement
from hub.intake.adapters.base import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.outbox.models import Delivery, Receipt
from hub.pipeline import Pipeline
from hub.rules.models import Category
from hub.stats.days import day_of
from hub.stats.fill import fill
from hub.stats.models import DailyCount
from hub.stats.purge import purge
from hub.stats.reports import KINDS
from tests.dashboard_helpers import admin, client_for, orders_manager

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

MESSAGES = int(os.environ.get("SHOPCRIER_BENCH_STATS_MESSAGES", "1000000"))
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
DEPARTMENTS = ("orders", "service", "finance", "tech")
STAFF = ("101", "102", "201", "301", "")
APPS = ("web", "app", "mini")
FILLS_A_DAY = 24 * 60 // 5  # hub.stats.worker.FILL_EVERY
STORE_US = 770  # store_page per message, from the first benchmark on this machine


def timed(work: Callable[[], object], runs: int) -> list[float]:
    work()
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        found.append((time.perf_counter() - started) * 1000)
    return found


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def test_bench_rollup_cost_per_stored_message_against_the_store_alone() -> None:
    n, per_page = 3000, 100
    source = Source.objects.create(name="bench-store", url="http://127.0.0.1:1/")
    pipeline = Pipeline.from_db()
    texts = ("客户{i}提交了订单{i}", "用户{i}申请了提现请及时审核", "客户{i}申请退款订单{i}")
    started = time.perf_counter()
    for start in range(0, n, per_page):
        items = [Item(content=texts[i % 3].format(i=i), external_id=str(i), app=APPS[i % 3]) for i in range(start, start + per_page)]
        store_page(source, Page(items=items, rejects=[], cursor=str(start + per_page), more=False), pipeline)
    store = time.perf_counter() - started
    now = Message.objects.latest("received_at").received_at + timedelta(minutes=1)
    started = time.perf_counter()
    fill(now, since=day_of(Message.objects.earliest("received_at").received_at))
    rollup = time.perf_counter() - started

    bare = Source.objects.create(name="bench-bare", url="http://127.0.0.1:1/")
    order = Category.objects.get(slug="order")
    started = time.perf_counter()
    for start in range(0, n, per_page):
        batch = Message.objects.bulk_create([Message(source=bare, dedup_key=str(i), content=f"客户{i}提交了订单{i}", category=order)
                                             for i in range(start, start + per_page)])
        Delivery.objects.bulk_create([Delivery(message=m, announcement_id=uuid.uuid4().hex, topic="shopcrier/announce/ops/orders",
                                               payload=b"{}") for m in batch])
    bulk = time.perf_counter() - started
    print(f"\nrollup cost, {n:,} messages stored in pages of {per_page}:")
    print(f"  baseline: store_page (classify, route, deliveries)  {store / n * 1e6:8.0f} µs/message")
    print(f"  fill (recompute their day)                         {rollup / n * 1e6:8.0f} µs/message")
    print(f"  store + fill against store alone                   {(store + rollup) / store:8.2f} ×   (target ≤ 1.2)")
    print(f"  for scale: bare bulk insert of message + delivery  {bulk / n * 1e6:8.0f} µs/message")
    assert DailyCount.objects.filter(dimension="source", value="bench-store").exists()


def generate_year(n: int) -> float:
    """``n`` messages spread over the year before NOW, with deliveries, receipts (80 %) and acknowledgements (60 %)."""
    source = Source.objects.create(name="shop", url="http://127.0.0.1:1/")
    categories = list(Category.objects.filter(slug__in=("order", "refund", "withdrawal", "system")))
    step = 365 * 86400 / n
    start = NOW - timedelta(days=365)
    started = time.perf_counter()
    for first in range(0, n, 5000):
        batch = Message.objects.bulk_create([
            Message(source=source, dedup_key=str(i), content=f"客户{i}提交了订单{i}", category=categories[i % len(categories)],
                    app=APPS[i % 3], received_at=start + timedelta(seconds=i * step))
            for i in range(first, min(n, first + 5000))
        ])
        deliveries, receipts, acks = [], [], []
        for m in batch:
            staff = STAFF[m.pk % 5]
            topic = f"shopcrier/announce/ops/{DEPARTMENTS[m.pk % 4]}" + (f"/{staff}" if staff else "")
            a = uuid.uuid4().hex
            deliveries.append(Delivery(message=m, announcement_id=a, topic=topic, payload=b"{}", status="sent", created_at=m.received_at))
            if m.pk % 5:
                receipts.append(Receipt(announcement_id=a, node_id="spk", status="played", message=m,
                                        at=m.received_at + timedelta(seconds=m.pk % 60)))
            if m.pk % 5 > 1:
                acks.append(Acknowledgement(message=m, by="101", at=m.received_at + timedelta(seconds=m.pk % 900)))
        Delivery.objects.bulk_create(deliveries)
        Receipt.objects.bulk_create(receipts)
        Acknowledgement.objects.bulk_create(acks)
    return time.perf_counter() - started


@pytest.mark.timeout(7200)  # generating and filling a million messages takes many minutes
def test_bench_report_server_time_over_a_year_and_the_purge_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard.clock, "now", lambda: NOW)
    generated = generate_year(MESSAGES)
    started = time.perf_counter()
    fill(NOW)
    filled = time.perf_counter() - started
    rows = DailyCount.objects.count()
    started = time.perf_counter()
    fill(NOW)  # what the stats worker does each round: the last day and the two before it
    round_s = time.perf_counter() - started
    per_day = MESSAGES / 365
    print(f"\nsteady state at {per_day:,.0f} messages a day: one worker round {round_s * 1000:.0f} ms; "
          f"{FILLS_A_DAY} rounds a day = {round_s * FILLS_A_DAY:.0f} s of fill per day, against "
          f"{per_day * STORE_US / 1e6:.1f} s to store the day's messages at {STORE_US} µs each "
          f"(= {1 + round_s * FILLS_A_DAY / (per_day * STORE_US / 1e6):.1f} ×)")
    print(f"{MESSAGES:,} messages over a year: generated in {generated:.0f} s, filled in {filled:.0f} s "
          f"({filled / MESSAGES * 1e6:.0f} µs/message), {rows:,} rollup rows")
    year = f"?from={date(2025, 12, 1)}&to={date(2026, 11, 30)}"
    boss, manager = client_for(admin()), client_for(orders_manager())
    baseline = timed(lambda: list(Message.objects.values("category_id").annotate(n=Count("id"))), runs=3)
    print(f"  baseline: per-category count from raw messages   p50 {p(baseline, .5):8.1f} ms")
    for kind in KINDS:
        for who, client in (("admin", boss), ("orders manager", manager)):
            ms = timed(lambda: client.get(f"/stats/api/{kind}{year}"), runs=10)
            print(f"  GET /stats/api/{kind:<11} {who:<15}      p50 {p(ms, .5):8.1f} ms  max {max(ms):8.1f} ms  (target ≤ 200)")
    for path in ("/stats/api/trends", "/stats/category.xlsx", "/stats/day.csv"):
        ms = timed(lambda: boss.get(path + year + ("&period=month" if "trends" in path else "")), runs=5)
        print(f"  GET {path:<28} admin           p50 {p(ms, .5):8.1f} ms  max {max(ms):8.1f} ms")
    total = boss.get(f"/stats/api/total{year}").json()["total"]["messages"]
    before = Message.objects.count()
    started = time.perf_counter()
    done = purge(NOW)
    took = time.perf_counter() - started
    gone = before - Message.objects.count()
    print(f"  purge at 90 days: {gone:,} messages ({done}) in {took:.0f} s = {gone / took:,.0f} messages/s")
    assert boss.get(f"/stats/api/total{year}").json()["total"]["messages"] == total
