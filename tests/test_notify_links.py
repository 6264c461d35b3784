"""The signed acknowledge link's page, and the dashboard's Web Push subscription endpoint."""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing
from django.test import Client

from hub.attention.models import Acknowledgement
from hub.intake.adapters.base import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.notify.links import SALT, ack_link
from hub.notify.models import PushSubscription, Target
from hub.pipeline import Pipeline
from tests.dashboard_helpers import client_for, login, orders_manager
from tests.notify_helpers import bot

pytestmark = pytest.mark.django_db


def order() -> tuple[Message, Target]:
    target = bot("orders-group", "ORDERS_BOT", department="orders")
    source, _ = Source.objects.get_or_create(name="shop", defaults={"url": "http://127.0.0.1:1/"})
    store_page(source, Page(items=[Item(content="客户张三提交了订单10023", external_id="o-1")], rejects=[], cursor=None,
                            more=False), Pipeline.from_db())
    return Message.objects.get(source=source), target


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_opening_the_link_asks_first_and_only_the_button_acknowledges_in_the_hubs_language() -> None:
    message, target = order()
    link = path_of(ack_link(message.pk, target))
    client = Client(enforce_csrf_checks=True)

    page = client.get(link)  # what a chat app's link preview does
    assert page.status_code == 200 and "确认" in page.content.decode() and "客户张三提交了订单10023" in page.content.decode()
    assert not Acknowledgement.objects.exists()

    done = client.post(link)  # a service worker's action has no CSRF cookie: the signed token is the authority
    assert done.status_code == 200 and "已由 orders-group 于" in done.content.decode()
    assert Acknowledgement.objects.get(message=message).by == "orders-group"
    again = client.post(link)
    assert "已由 orders-group 于" in again.content.decode() and Acknowledgement.objects.count() == 1


def test_a_forged_or_expired_link_is_one_clear_line_and_changes_nothing() -> None:
    message, target = order()
    forged = Client().get(path_of(ack_link(message.pk, target))[:-3] + "xyz")
    assert forged.status_code == 404 and "此确认链接无效" in forged.content.decode()

    class WeekOld(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    token = WeekOld(salt=SALT).sign_object({"m": message.pk, "t": target.pk}, compress=True)
    expired = Client().post(f"/notify/ack/{token}")
    assert expired.status_code == 410 and "已过期" in expired.content.decode()
    assert not Acknowledgement.objects.exists()


SUBSCRIPTION = {"endpoint": "https://push.example/send/abc", "keys": {"p256dh": "B" + "x" * 86, "auth": "a" * 22}}


def test_a_staff_login_subscribes_its_browser_and_gets_a_push_target() -> None:
    clerk = client_for(login("li", staff="101", dept="orders"))
    key = clerk.get("/notify/push/key", headers={"Accept": "application/json"})
    assert key.status_code == 200 and len(key.json()["key"]) == 87

    done = clerk.post("/notify/push/subscribe", json.dumps(SUBSCRIPTION), content_type="application/json")
    assert done.status_code == 200
    sub = PushSubscription.objects.get()
    assert (sub.staff.number, sub.endpoint) == ("101", SUBSCRIPTION["endpoint"])
    assert Target.objects.get(kind="webpush").staff == sub.staff


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "不是 JSON"),
        (json.dumps({"keys": SUBSCRIPTION["keys"]}).encode(), 400, "缺少推送地址"),
        (json.dumps({**SUBSCRIPTION, "keys": {"p256dh": "<script>"}}).encode(), 400, "密钥"),
        (b"x" * 5000, 413, "过大"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_problem(body: bytes, status: int, says: str) -> None:
    clerk = client_for(login("li", staff="101", dept="orders"))
    done = clerk.post("/notify/push/subscribe", body, content_type="application/json")
    assert done.status_code == status and says in done.json()["error"]
    assert not PushSubscription.objects.exists()


def test_only_a_login_linked_to_staff_may_subscribe_and_nobody_anonymous() -> None:
    assert Client().post("/notify/push/subscribe", json.dumps(SUBSCRIPTION), content_type="application/json").status_code == 401
    manager = client_for(orders_manager())
    assert manager.post("/notify/push/subscribe", json.dumps(SUBSCRIPTION), content_type="application/json").status_code == 403


def test_the_messages_story_shows_each_channel_sent_or_failed_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.notify.base import Notice, TransportError
    from hub.notify.sender import Sender

    bot("orders-mail", "ORDERS_MAIL", department="orders")
    message, _ = order()

    class Half:
        def __init__(self, target: Target) -> None:
            self.target = target

        def notify(self, notice: Notice) -> None:
            if self.target.name == "orders-mail":
                raise TransportError("the mail server refused the sender address", permanent=True)

    Sender(transports=Half).step()
    page = client_for(login("li", staff="101", dept="orders")).get(f"/m/{message.pk}/").content.decode()

    assert "手机和群聊" in page
    assert "orders-group" in page and "orders-mail" in page
    assert "the mail server refused the sender address" in page
