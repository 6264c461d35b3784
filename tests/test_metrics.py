"""``/metrics`` in Prometheus' text format: the figures an operator graphs (messages by source and
category, deliveries by state, receipts, speakers by state, outbox depth and age, notifications
owed, poll failures per source, webhook latency), for the API token or an allowed address only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hub.intake.models import Source
from hub.monitor.nodes import check_nodes, ingest_heartbeat
from tests.attention_helpers import BASE, Clock, announced
from tests.monitor_helpers import heartbeat
from tests.test_intake_webhooks import ORDER, SECRET_ENV, make_source, shopcrier_headers

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token"


@pytest.fixture(autouse=True)
def _token(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.API_TOKEN = TOKEN
    settings.METRICS_ALLOW = []
    monkeypatch.setenv(SECRET_ENV, "whsec-test-一二三")


def scrape(**extra: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reply = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra).get("/metrics")
    assert reply.status_code == 200 and reply["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(reply.content.decode()) for s in family.samples}


def test_without_the_token_or_an_allowed_address_nothing_is_shown() -> None:
    announced("客户张三提交了订单10023")
    for client in (Client(), Client(HTTP_AUTHORIZATION="Bearer wrong")):
        reply = client.get("/metrics")
        assert reply.status_code == 401 and b"shopcrier_" not in reply.content


def test_an_allowed_network_may_scrape_without_the_token(settings: Any) -> None:
    from hub.metrics.allow import parse_networks

    settings.METRICS_ALLOW = parse_networks("SHOPCRIER_METRICS_ALLOW", ["10.1.0.0/16"])
    assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 401


@pytest.mark.clock
def test_the_figures_match_what_the_database_holds() -> None:
    at = timezone.now() - timedelta(seconds=90)
    announced("客户张三提交了订单10023", at=at)
    announced("用户李四申请了提现", category_slug="withdrawal", at=at)
    ingest_heartbeat("spk-1", heartbeat(), timezone.now())
    check_nodes(timezone.now(), BASE)
    Source.objects.create(name="flaky", url="http://127.0.0.1:1/", consecutive_failures=4)

    got = scrape()
    assert got[("shopcrier_messages", (("category", "order"), ("source", "test")))] == 1
    assert got[("shopcrier_messages", (("category", "withdrawal"), ("source", "test")))] == 1
    assert got[("shopcrier_deliveries", (("state", "pending"),))] == 4  # an event and an announcement each
    assert got[("shopcrier_deliveries", (("state", "sent"),))] == 0
    assert got[("shopcrier_outbox_depth", ())] == 4
    assert 89 <= got[("shopcrier_outbox_oldest_age_seconds", ())] < 600
    assert got[("shopcrier_speakers", (("state", "up"),))] == 1
    assert got[("shopcrier_speakers", (("state", "down"),))] == 0
    assert got[("shopcrier_receipts", (("status", "played"),))] == 0
    assert got[("shopcrier_source_poll_failures", (("source", "flaky"),))] == 4
    assert ("shopcrier_notifications_pending", ()) in got


def test_webhooks_are_timed_by_source_and_status_class_and_guessed_sources_share_one_label() -> None:
    make_source()
    before = scrape()
    body = json.dumps(ORDER, ensure_ascii=False).encode()
    headers = {k: v for k, v in shopcrier_headers(body, secret="whsec-test-一二三").items() if k != "Content-Type"}
    assert Client().post("/hooks/shop/", body, content_type="application/json", headers=headers).status_code == 200
    for guess in ("a", "b", "c"):
        assert Client().post(f"/hooks/{guess}/", b"{}", content_type="application/json").status_code == 404
    after = scrape()

    def count(source: str, code: str, seen: dict[Any, float]) -> float:
        return seen.get(("shopcrier_webhook_seconds_count", (("code", code), ("source", source))), 0.0)

    assert count("shop", "2xx", after) - count("shop", "2xx", before) == 1
    assert count("unknown", "4xx", after) - count("unknown", "4xx", before) == 3
    assert not any(dict(labels).get("source") in ("a", "b", "c") for _, labels in after)


def test_a_bad_allow_list_is_refused_in_one_line_naming_the_variable(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    from tests.paths import REPO

    env = {**os.environ, "SHOPCRIER_DATA_DIR": str(tmp_path), "SHOPCRIER_METRICS_ALLOW": "10.0.0.0/8,intranet"}
    result = subprocess.run([sys.executable, "-m", "hub.manage", "check"], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip() == ("shopcrier-hub: configuration error: SHOPCRIER_METRICS_ALLOW: 'intranet' "
                                     "is not an IP address or network (e.g. 10.0.0.0/8)")


def message_count(seen: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    return sum(v for (name, _), v in seen.items() if name == "shopcrier_messages")


@pytest.mark.clock
def test_the_large_tables_are_counted_once_a_minute_and_a_scrape_reads_the_counts() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hub.metrics import snapshot

    clock = Clock()
    announced("客户张三提交了订单10023")
    assert message_count(scrape()) == 1  # the first scrape counts: nothing had
    announced("客户李四提交了订单10024")
    with CaptureQueriesContext(connection) as queries:
        seen = scrape()
    assert message_count(seen) == 1  # the counts of a moment ago
    assert 0 <= seen[("shopcrier_counts_age_seconds", ())] < 60
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if "intake_message" in q or "outbox_receipt" in q], sql  # no count over them
    assert all("pending" in q for q in sql if "outbox_delivery" in q), sql  # only the outbox's backlog, live
    assert all("pending" in q and "sending" not in q for q in sql if "notify_notification" in q), sql

    taken = snapshot.take(clock.advance(seconds=61))
    assert taken is not None and taken.figures["deliveries"]["pending"] == 4
    assert message_count(scrape()) == 2
    assert snapshot.take(clock.advance(seconds=30)) is None  # counted within the minute: not again
    assert snapshot.SnapshotWorker(clock).step() is False


@pytest.mark.clock
def test_without_a_run_process_a_scrape_counts_again_once_the_counts_are_stale() -> None:
    from hub.metrics import snapshot

    clock = Clock()
    announced("客户张三提交了订单10023")
    snapshot.take(clock.now)
    announced("客户李四提交了订单10024")
    assert sum(n for _, _, n in snapshot.current(clock.advance(seconds=60)).figures["messages"]) == 1
    later = snapshot.current(clock.advance(seconds=snapshot.STALE.total_seconds()))
    assert sum(n for _, _, n in later.figures["messages"]) == 2 and later.taken_at == clock.now


@pytest.mark.clock
def test_notifications_owed_are_the_pending_ones_now_and_the_ones_being_sent_as_of_the_minute() -> None:
    from hub.intake.models import Message
    from hub.metrics import snapshot
    from hub.notify.models import Notification, Target
    from tests.attention_helpers import department

    clock = Clock()
    announced("客户张三提交了订单10023")
    message = Message.objects.get()
    target = Target.objects.create(kind="apprise", name="orders-group", url_env="ORDERS_APPRISE", department=department())
    for status in (Notification.PENDING, Notification.SENDING, Notification.SENT):
        Notification.objects.create(message=message, announcement_id=f"a-{status}", target=target, status=status)
    snapshot.take(clock.now)
    assert scrape()[("shopcrier_notifications_pending", ())] == 2
    Notification.objects.create(message=message, announcement_id="a-new", target=target)  # pending: seen at once
    assert scrape()[("shopcrier_notifications_pending", ())] == 3
