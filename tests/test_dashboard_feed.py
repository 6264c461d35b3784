"""The feed page: filters and search, the open count in the title, acknowledging one or all of mine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dashboard import feed
from dashboard.roles import viewer_of
from hub.attention.models import Acknowledgement, FollowUp
from tests.attention_helpers import announced
from tests.dashboard_helpers import admin, client_for, login, orders_clerk, orders_manager

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def rows_of(html: str) -> str:
    return html.split('id="rows"')[1]


def test_filters_narrow_the_feed_by_category_priority_and_search_in_text_and_user() -> None:
    announced("客户张三提交了订单10023")
    urgent = announced("客户李四提交了大额订单88888", priority="urgent")
    urgent.user_name = "李四"
    urgent.save()
    announced("用户王五申请退款", category_slug="refund")
    client = client_for(admin())
    assert "大额" in rows_of(client.get("/?priority=urgent").content.decode())
    assert "10023" not in rows_of(client.get("/?priority=urgent").content.decode())
    refunds = rows_of(client.get("/?category=refund").content.decode())
    assert "退款" in refunds and "订单" not in refunds
    by_user = rows_of(client.get("/?q=李四").content.decode())
    assert "88888" in by_user and "10023" not in by_user


def test_a_bad_filter_value_gets_one_clear_line_and_the_rest_of_the_feed_still_shows() -> None:
    announced("客户张三提交了订单10023")
    page = client_for(admin()).get("/?priority=loud&day=yesterday").content.decode()
    assert "loud" in page and "yesterday" in page and "10023" in page


@pytest.mark.clock
def test_states_new_acknowledged_escalated_and_expired_are_told_apart_at_a_given_instant() -> None:
    fresh = announced("新订单一", at=NOW - timedelta(minutes=5))
    taken = announced("新订单二", at=NOW - timedelta(minutes=5))
    chased = announced("新订单三", at=NOW - timedelta(minutes=20))
    old = announced("新订单四", at=NOW - timedelta(hours=2))  # its announcement expired an hour after
    Acknowledgement.objects.create(message=taken, by="101", at=NOW)
    FollowUp.objects.create(message=chased, rounds=1, last_announced_at=NOW)
    viewer = viewer_of(admin())
    assert viewer is not None
    states = {m.pk: feed.state_of(m) for m in feed.page(viewer, feed.Filters(), NOW)}
    assert states == {fresh.pk: "new", taken.pk: "acknowledged", chased.pk: "escalated", old.pk: "expired"}
    for state, message in (("new", fresh), ("acknowledged", taken), ("escalated", chased), ("expired", old)):
        assert [m.pk for m in feed.page(viewer, feed.Filters(state=state), NOW)] == [message.pk]
    assert feed.open_count(viewer, NOW) == 2


@pytest.mark.clock
def test_the_day_filter_reads_days_in_the_hubs_time_zone() -> None:
    announced("昨天的订单", at=NOW - timedelta(days=1))
    announced("今天的订单", at=NOW)
    viewer = viewer_of(admin())
    assert viewer is not None
    found = feed.page(viewer, feed.Filters(day=NOW.date()), NOW)
    assert [m.content for m in found] == ["今天的订单"]


def test_the_title_counts_the_open_messages() -> None:
    for n in range(3):
        announced(f"客户{n}提交了订单")
    title = client_for(orders_clerk()).get("/").content.decode().split("<title")[1].split("</title>")[0]
    assert "(3)" in title


def test_acknowledging_from_the_feed_records_the_clerks_staff_number_and_the_first_stands() -> None:
    order = announced("客户张三提交了订单10023")
    reply = client_for(orders_clerk()).post(f"/m/{order.pk}/ack")
    assert reply.status_code == 200 and reply.json()["by"] == "101" and reply.json()["first"]
    again = client_for(orders_manager()).post(f"/m/{order.pk}/ack").json()
    assert again["by"] == "101" and not again["first"]
    assert Acknowledgement.objects.get(message=order).by == "101"


def test_acknowledge_all_mine_takes_only_my_open_messages() -> None:
    mine = [announced(f"客户{n}提交了订单") for n in range(3)]
    withdrawal = announced("用户王五申请了提现请及时审核", category_slug="withdrawal", dept="finance")
    reply = client_for(orders_clerk()).post("/ack-mine")
    assert reply.json() == {"acknowledged": 3}
    assert set(Acknowledgement.objects.values_list("message_id", flat=True)) == {m.pk for m in mine}
    assert not Acknowledgement.objects.filter(message=withdrawal).exists()


def test_acknowledge_all_mine_is_offered_only_to_someone_something_can_be_routed_to() -> None:
    """"Mine" is what is routed to my staff number or my own department: a clerk has it, and so
    does a manager who is also staff; a manager or an admin without a staff link has nothing."""
    announced("客户张三提交了订单10023")
    linked_manager = login("wu", staff="102", dept="orders", manages=("orders",))
    linked_admin = login("root", staff="103", dept="orders", admin=True)
    offered = {"clerk": orders_clerk(), "manager+staff": linked_manager, "admin+staff": linked_admin}
    not_offered = {"manager": orders_manager(), "admin": admin()}
    for who, user in {**offered, **not_offered}.items():
        page = client_for(user).get("/").content.decode()
        assert "10023" in rows_of(page), who  # each of them sees the order
        assert ('id="ack-mine"' in page) == (who in offered), who
        assert ('<option value="mine"' in page) == (who in offered), who


def test_older_messages_page_on_from_the_last_one_shown() -> None:
    made = [announced(f"订单{n:03d}") for n in range(feed.PAGE + 5)]
    client = client_for(admin())
    first = rows_of(client.get("/").content.decode())
    assert f"订单{feed.PAGE + 4:03d}" in first and "订单004<" not in first
    older = rows_of(client.get(f"/?before={made[5].pk}").content.decode())
    assert "订单004" in older and "订单005" not in older
