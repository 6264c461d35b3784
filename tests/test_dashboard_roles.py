"""Roles on every page and API call: staff see their own and their department's, managers their
departments', admins everything; nobody else sees anything."""

from __future__ import annotations

import pytest
from django.test import Client

from hub.attention.models import Acknowledgement
from tests.attention_helpers import announced
from tests.dashboard_helpers import admin, client_for, finance_clerk, orders_clerk, orders_manager

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_the_ack_api_says_401() -> None:
    message = announced("客户张三提交了订单10023")
    page = Client().get("/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    assert Client().post(f"/m/{message.pk}/ack").status_code == 401
    assert not Acknowledgement.objects.exists()


def test_an_orders_clerk_sees_orders_and_never_a_withdrawal_routed_to_finance() -> None:
    announced("客户张三提交了订单10023")
    announced("用户王五申请了提现请及时审核", category_slug="withdrawal", dept="finance")
    page = client_for(orders_clerk()).get("/").content.decode()
    assert "订单10023" in page
    assert "提现" not in page.split('id="rows"')[1]


def test_a_finance_clerk_gets_no_order_in_the_feed_nor_its_story_nor_may_acknowledge_it() -> None:
    order = announced("客户张三提交了订单10023")
    client = client_for(finance_clerk())
    assert "订单10023" not in client.get("/").content.decode()
    assert client.get(f"/m/{order.pk}/").status_code == 404
    assert client.post(f"/m/{order.pk}/ack").status_code == 403
    assert not Acknowledgement.objects.exists()


def test_a_manager_sees_a_message_routed_to_one_of_their_departments_staff() -> None:
    personal = announced("客户赵六的订单需要人工确认", staff_no="102")
    # the same message as a pure staff route: only the staff topic
    personal.deliveries.filter(topic="shopcrier/announce/ops/orders").delete()
    assert "人工确认" in client_for(orders_manager()).get("/").content.decode()
    assert "人工确认" not in client_for(orders_clerk()).get("/").content.decode()


def test_an_admin_sees_everything_and_the_settings_page_which_staff_may_not_open() -> None:
    announced("客户张三提交了订单10023")
    announced("用户王五申请了提现请及时审核", category_slug="withdrawal", dept="finance")
    boss = client_for(admin())
    page = boss.get("/").content.decode()
    assert "订单10023" in page and "提现" in page
    assert boss.get("/settings/").status_code == 200
    assert client_for(orders_clerk()).get("/settings/").status_code == 403


def test_a_login_without_a_role_sees_an_empty_feed() -> None:
    from tests.dashboard_helpers import login

    announced("客户张三提交了订单10023")
    assert "订单10023" not in client_for(login("nobody")).get("/").content.decode()


def test_the_scopes_a_socket_reports_agree_with_what_each_scope_of_the_feed_shows() -> None:
    from dashboard.roles import viewer_of
    from hub.intake.models import Message

    department = announced("客户张三提交了订单10023")
    personal = announced("客户赵六的订单需要人工确认", staff_no="101")
    personal.deliveries.filter(topic="shopcrier/announce/ops/orders").delete()
    for user in (orders_clerk(), orders_manager()):
        viewer = viewer_of(user)
        assert viewer is not None
        for message in (department, personal):
            topics = list(message.deliveries.exclude(announcement_id="").values_list("topic", flat=True))
            expected = [s for s in ("mine", "department") if viewer.visible(Message.objects.filter(pk=message.pk), s).exists()]
            assert viewer.scopes_of(topics) == expected
