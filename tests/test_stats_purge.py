"""Retention: old raw rows go in batches, the rollups and so every report stay as they were,
a dry run changes nothing, and the stats worker purges once a day."""

from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from hub.attention.models import Acknowledgement
from hub.intake.models import Message, Quarantine, Source
from hub.outbox.models import Delivery, Receipt
from hub.rules.models import Category
from hub.stats.fill import fill, state
from hub.stats.models import CategoryTarget, DailyCount
from hub.stats.purge import purge
from hub.stats.worker import StatsWorker
from tests.attention_helpers import Clock
from tests.stats_helpers import handled, snapshot, totals

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def old_and_new() -> None:
    """Orders 100 and 10 days old, a withdrawal 20 days old; all played, the orders acknowledged."""
    handled("客户张三提交了订单10023", NOON - timedelta(days=100), played_after=3, acked_after=30)
    handled("客户李四提交了订单10024", NOON - timedelta(days=10), played_after=5, acked_after=50)
    handled("用户王五申请了提现请及时审核", NOON - timedelta(days=20), played_after=4, dept="finance", category_slug="withdrawal")


def test_a_purge_removes_old_raw_rows_and_leaves_every_count_as_it_was() -> None:
    old_and_new()
    fill(NOON)
    before, counted = snapshot(), totals()
    assert counted["messages"] == Message.objects.count() == 3
    done = purge(NOON, batch=1)
    assert done.counts["message"] == 1 and done.counts["delivery"] == 2 and done.counts["receipt"] == 1
    assert Message.objects.count() == 2 and Acknowledgement.objects.count() == 1
    assert snapshot() == before and totals() == counted
    fill(NOON, since=(NOON - timedelta(days=200)).date())  # a forced refill cannot undo the purged days
    assert snapshot() == before


def test_retention_is_per_category() -> None:
    old_and_new()
    CategoryTarget.objects.create(category=Category.objects.get(slug="withdrawal"), retention_days=14)
    fill(NOON)
    before = snapshot()
    purge(NOON)
    assert list(Message.objects.values_list("content", flat=True)) == ["客户李四提交了订单10024"]
    assert snapshot() == before


def test_a_dry_run_says_what_would_go_and_changes_nothing() -> None:
    old_and_new()
    source = Source.objects.get(name="test")
    Quarantine.objects.create(source=source, reason="bad json", raw="{", fingerprint="f1", created_at=NOON - timedelta(days=91))
    done = purge(NOON, dry_run=True)
    assert done.counts == {"messages": 1, "quarantined": 1, "pending marked expired": 3}  # nobody published them
    assert Message.objects.count() == 3 and Quarantine.objects.count() == 1 and state().frozen_before is None
    purge(NOON)
    assert not Quarantine.objects.exists()


def test_an_announcement_left_pending_long_past_its_expiry_is_marked_expired_and_counted() -> None:
    message = handled("客户张三提交了订单10023", NOON - timedelta(hours=5))  # expired at NOON - 4 h
    purge(NOON)
    announced = Delivery.objects.filter(message=message).exclude(announcement_id="")
    assert set(announced.values_list("status", flat=True)) == {"expired"}
    assert totals()["expired"] == 1 and totals()["messages"] == 1
    assert not Receipt.objects.exists()


def test_the_stats_worker_fills_every_round_and_purges_once_a_day() -> None:
    old_and_new()
    clock = Clock(NOON)
    purges: list[datetime] = []
    worker = StatsWorker(clock=clock, purge=lambda now, stop: purges.append(now))
    stop = threading.Event()
    worker.step(stop)
    clock.advance(hours=5)
    worker.step(stop)
    clock.advance(hours=20)
    worker.step(stop)
    assert purges == [NOON, NOON + timedelta(hours=25)]
    assert totals()["messages"] == 3


def test_erasing_a_customer_keeps_every_count_and_drops_their_name_and_words() -> None:
    message = handled("客户张三提交了订单10023", NOON, played_after=3, acked_after=30)
    Message.objects.filter(pk=message.pk).update(user_id="u-501", user_name="张三")
    fill(NOON + timedelta(hours=1))
    before = snapshot()
    call_command("erase", "--customer", "u-501", stdout=io.StringIO())
    message.refresh_from_db()
    assert (message.user_id, message.user_name, message.content, message.raw) == ("", "", "[erased]", {})
    assert not any("张三".encode() in bytes(d.payload) for d in Delivery.objects.filter(message=message))
    fill(NOON + timedelta(hours=1))
    assert snapshot() == before


def test_erasing_a_staff_member_renames_them_in_every_count_even_after_a_refill() -> None:
    handled("客户赵六的订单需要人工确认", NOON, staff_no="102", acked_after=20)
    fill(NOON + timedelta(hours=1))
    counted = totals()
    out = io.StringIO()
    call_command("erase", "--staff", "102", stdout=out)
    fill(NOON + timedelta(hours=1), since=NOON.date())
    staff = set(DailyCount.objects.values_list("staff", flat=True))
    assert len(staff) == 1 and staff.pop().startswith("erased-")
    assert totals() == counted


def test_erasing_someone_unknown_is_one_clear_line() -> None:
    with pytest.raises(CommandError, match="no message from customer 'u-404'"):
        call_command("erase", "--customer", "u-404")
