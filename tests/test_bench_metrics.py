"""Benchmark: what a Prometheus scrape of ``/metrics`` costs on a large database.

SHOPCRIER_BENCH_METRICS_MESSAGES (default 100,000) messages, each with two
deliveries (its event and its announcement, most sent, a few pending), a
receipt and a chat notification, bulk-inserted into a hub database (SQLite and PostgreSQL), then
``GET /metrics`` through ``shopcrier-hub serve`` one request at a time, beside
``GET /healthz`` (one query) measured the same way in the same run: the first
scrape, which counts the large tables (what ``shopcrier-hub run`` does once a
minute, hub/metrics/snapshot.py; before, every scrape did), then scrapes that
read the counts. Printed, never asserted (docs/health.md).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.ack_helpers import database_url, pg_database  # noqa: F401  (the fixtures)
from tests.processes import hub_command
from tests.webhook_load import healthz_sender, load, prepare, serve

pytestmark = pytest.mark.bench

MESSAGES = int(os.environ.get("SHOPCRIER_BENCH_METRICS_MESSAGES", "100000"))
TOKEN = "bench-metrics-token"
SCRAPES = 20

FILL = """
import uuid
from hub.intake.models import Message, Source
from hub.outbox.models import Delivery, Receipt
from hub.rules.models import Category
from hub.notify.models import Notification, Target
n = {n}
from django.utils import timezone
now = timezone.now()
source = Source.objects.get(name="shop")
categories = list(Category.objects.all())
from hub.org.models import Department, Subsystem
ops, _ = Subsystem.objects.get_or_create(slug="ops", defaults={{"name": "ops"}})
dept, _ = Department.objects.get_or_create(slug="orders", defaults={{"name": "orders", "subsystem": ops}})
target = Target.objects.create(kind="apprise", name="bench-group", url_env="BENCH_APPRISE_URL", department=dept)
for first in range(0, n, 5000):
    batch = Message.objects.bulk_create([
        Message(source=source, dedup_key=str(i), content=f"客户{{i}}提交了订单{{i}}", category=categories[i % len(categories)])
        for i in range(first, min(n, first + 5000))])
    deliveries, receipts, notifications = [], [], []
    for m in batch:
        a = uuid.uuid4().hex
        status = "pending" if m.pk % 1000 == 0 else "sent"
        deliveries.append(Delivery(message=m, announcement_id=a, topic="shopcrier/announce/ops/orders", payload=b"{{}}", status=status))
        deliveries.append(Delivery(message=m, topic="shopcrier/events/order", payload=b"{{}}", status=status))
        receipts.append(Receipt(announcement_id=a, node_id="spk", status="played", message=m, at=now))
        notifications.append(Notification(message=m, announcement_id=a, target=target, status=status, sent_at=now))
    Delivery.objects.bulk_create(deliveries)
    Receipt.objects.bulk_create(receipts)
    Notification.objects.bulk_create(notifications)
"""


def metrics_sender(base: str) -> Callable[[requests.Session, int], str | None]:
    def send(session: requests.Session, i: int) -> str | None:
        r = session.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        if r.status_code != 200 or b"shopcrier_messages{" not in r.content:
            return f"HTTP {r.status_code}: {r.text[:200]}"
        return None

    return send


@pytest.mark.timeout(3600)
def test_bench_a_metrics_scrape_on_a_large_database(tmp_path: Path, database_url: str) -> None:  # noqa: F811
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite (WAL)"
    env = prepare(tmp_path, database_url, extra={"SHOPCRIER_API_TOKEN": TOKEN})
    started = time.perf_counter()
    subprocess.run(hub_command("shell", "-c", FILL.format(n=MESSAGES)), env=env, check=True, timeout=3000)
    filled = time.perf_counter() - started
    if database_url.startswith("postgres"):  # as autovacuum would soon after such a load
        subprocess.run(hub_command("dbshell", "--", "-c", "ANALYZE"), env=env, check=True, timeout=600,
                       stdout=subprocess.DEVNULL)
    web, base = serve(env, tmp_path)
    try:
        counting = load(metrics_sender(base), 1, 1)  # no `run` process here: the first scrape counts
        baseline = load(healthz_sender(base), 1, SCRAPES)
        scrapes = load(metrics_sender(base), 1, SCRAPES)
        print(f"\n/metrics with {MESSAGES:,} messages, {2 * MESSAGES:,} deliveries, {MESSAGES:,} receipts and notifications "
              f"({kind}, filled in {filled:.0f} s), one request at a time:")
        print(baseline.line("GET /healthz (baseline)"))
        print(counting.line("GET /metrics, counting the tables"))
        print(scrapes.line("GET /metrics, counts < 1 min old"))
        assert baseline.errors == [] and scrapes.errors == [] and counting.errors == [], (scrapes.errors[:3], counting.errors[:3])
    finally:
        assert web.terminate() == 0, web.log()[-3000:]
