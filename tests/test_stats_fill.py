"""The daily rollups: one row per shop-day and combination, counts equal to the raw
messages, response times from histograms, and a fill that may run again at will."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.stats.fill import fill, state
from hub.stats.models import DailyCount
from hub.stats.reports import Query, report
from tests.stats_helpers import handled, snapshot, totals

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def test_counts_equal_the_raw_messages_and_say_what_became_of_them() -> None:
    handled("客户张三提交了订单10023", NOON, played_after=3, acked_after=40)
    handled("客户李四提交了订单10024", NOON + timedelta(minutes=5), played_after=8)
    handled("用户王五申请了提现请及时审核", NOON + timedelta(hours=1), dept="finance", category_slug="withdrawal")
    fill(NOON + timedelta(hours=3))
    assert totals() == {"messages": 3, "played": 2, "acknowledged": 1, "escalated": 0, "expired": 0, "no_speaker": 0,
                        # 600 s target: the order acked in 40 s is fine, the two never acked are 2-3 h old
                        "sla_breaches": 2, "played_n": 2, "ack_n": 1}
    assert set(DailyCount.objects.filter(dimension="category").values_list("department", "value", "messages")) == {
        ("orders", "order", 2), ("finance", "withdrawal", 1)}


def test_a_personal_announcement_counts_once_for_its_department_and_its_person() -> None:
    handled("客户赵六的订单需要人工确认", NOON, staff_no="102")
    fill(NOON + timedelta(minutes=1))
    assert set(DailyCount.objects.values_list("department", "staff", "messages")) == {("orders", "102", 1)}
    assert DailyCount.objects.count() == 5  # no breakdown, then by app, category, source and priority


def test_a_message_at_23_30_in_shanghai_on_the_last_day_of_a_month_lands_in_that_month() -> None:
    late = datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC, still November in the shop
    handled("客户张三提交了订单10023", late)
    handled("客户李四提交了订单10024", late + timedelta(minutes=31))  # 00:01 on 1 December
    fill(late + timedelta(hours=1))
    assert sorted(DailyCount.objects.filter(dimension="").values_list("day", "messages")) == [(date(2026, 11, 30), 1), (date(2026, 12, 1), 1)]
    months = report(Query(kind="month", start=date(2026, 11, 1), end=date(2026, 12, 31)))
    assert [(r["key"], r["messages"]) for r in months["rows"]] == [("2026-11", 1), ("2026-12", 1)]


def test_response_times_come_out_of_the_histograms_within_a_bucket() -> None:
    for i, wait in enumerate([2, 4, 7, 12, 25, 50, 70, 100, 150, 400]):
        handled(f"客户{i}提交了订单{i}", NOON + timedelta(minutes=i), played_after=wait, acked_after=wait * 3)
    fill(NOON + timedelta(hours=2))
    total = report(Query(kind="total", start=NOON.date(), end=NOON.date()))["rows"][0]
    assert total["played_mean"] == pytest.approx(82.0)
    assert 20 <= total["played_p50"] <= 30  # the 5th of 10 waits (25 s) lies in the 20-30 s bucket
    assert 120 <= total["played_p90"] <= 180  # the 9th (150 s) in 120-180 s
    assert total["ack_mean"] == pytest.approx(246.0)


def test_filling_twice_gives_the_same_rows_and_a_later_acknowledgement_is_counted() -> None:
    message = handled("客户张三提交了订单10023", NOON, played_after=3)
    handled("客户李四提交了订单10024", NOON, played_after=5, acked_after=30)
    fill(NOON + timedelta(minutes=1))
    first = snapshot()
    fill(NOON + timedelta(minutes=1))
    assert snapshot() == first
    from hub.attention.models import Acknowledgement

    Acknowledgement.objects.create(message=message, by="101", at=NOON + timedelta(minutes=2))
    fill(NOON + timedelta(minutes=3))
    assert totals()["acknowledged"] == 2 and totals()["messages"] == 2


def test_the_first_fill_is_from_scratch_later_rounds_apply_changes_and_frozen_days_are_never_rewritten() -> None:
    for d in range(6):
        handled(f"客户{d}提交了订单{d}", NOON + timedelta(days=d))
    now = NOON + timedelta(days=5, hours=1)
    assert fill(now) == 6
    assert fill(now) == 0  # a round: nothing changed, no day recomputed
    bookmark = state()
    bookmark.frozen_before = NOON.date() + timedelta(days=5)
    bookmark.save()
    assert fill(now, since=NOON.date()) == 1
    assert totals()["messages"] == 6
