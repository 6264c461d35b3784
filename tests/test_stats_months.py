"""Monthly rollups: a report that reads whole closed months from their monthly rows says exactly
what the daily rows say, and a late change to a closed month is read from its days until the
month is summed again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.stats.fill import fill
from hub.stats.models import MonthlyCount, RollupMonth
from hub.stats.months import refresh, split
from hub.stats.reports import KINDS, Query, report
from hub.stats.trends import busiest
from tests.stats_helpers import handled

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
START, END = date(2026, 8, 15), date(2026, 12, 2)


def history() -> Message:
    """Orders and withdrawals from August to December, one at 23:30 on the last day of October."""
    late = None
    for i in range(40):
        at = datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI) + timedelta(days=3 * i, hours=i % 7)
        finance = i % 3 == 0
        m = handled(f"消息{i}", at, played_after=5 + i, acked_after=(60 * i if i % 4 else None),
                    dept="finance" if finance else "orders", staff_no="102" if i % 5 == 0 and not finance else None,
                    category_slug="withdrawal" if finance else "order")
        if late is None and not finance and i % 4 == 0 and at.month == 10:
            late = m
    handled("月底的订单", datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI), played_after=3)
    assert late is not None
    return late


def days_only(query: Query) -> dict[str, Any]:
    """The report as the daily rows alone give it (every month marked stale for a moment)."""
    fresh = list(RollupMonth.objects.filter(stale=False).values_list("pk", flat=True))
    RollupMonth.objects.filter(pk__in=fresh).update(stale=True)
    try:
        return report(query)
    finally:
        RollupMonth.objects.filter(pk__in=fresh).update(stale=False)


def test_reports_read_from_whole_months_say_what_the_days_say() -> None:
    history()
    fill(NOW)
    assert set(RollupMonth.objects.filter(stale=False).values_list("month", flat=True)) == {
        date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)}
    months, _ = split(START, END)
    assert months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]  # August and December are partial
    for kind in KINDS:
        for scope in (None, frozenset({"orders"})):
            query = Query(kind, START, END, departments=scope)
            assert report(query) == days_only(query), (kind, scope)
    october = report(Query("month", START, END))["rows"]
    assert [r["key"] for r in october] == ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    manager = report(Query("department", START, END, departments=frozenset({"orders"})))
    assert {r["key"] for r in manager["rows"]} == {"orders"}  # never another department's
    assert busiest(Query("day", START, END))["department"][0][0] == "orders"


def test_a_late_change_to_a_closed_month_is_read_from_its_days_until_the_month_is_summed_again() -> None:
    late = history()
    fill(NOW)
    query = Query("category", START, END)
    before = report(query)
    Acknowledgement.objects.create(message=late, by="101", at=NOW)
    fill(NOW + timedelta(minutes=5))
    assert RollupMonth.objects.get(month=date(2026, 10, 1)).stale
    after = report(query)
    assert after == days_only(query)
    assert after["total"]["acknowledged"] == before["total"]["acknowledged"] + 1
    assert refresh(NOW.date()) == 1
    assert not RollupMonth.objects.filter(stale=True).exists()
    assert report(query) == after
    assert MonthlyCount.objects.filter(month=date(2026, 10, 1)).exists()
