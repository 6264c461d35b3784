"""Notifications through Apprise: a real JSON webhook server, a real SMTP server, and the Chinese chat bots' wire format."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hub.intake.adapters.base import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.notify.models import Notification
from hub.notify.sender import Sender
from hub.pipeline import Pipeline
from mqtt.broker import free_port
from tests.notify_helpers import Receiver, bot, receiver

pytestmark = pytest.mark.django_db


def store(*contents: str) -> list[Message]:
    source, _ = Source.objects.get_or_create(name="shop", defaults={"url": "http://127.0.0.1:1/"})
    items = [Item(content=c, external_id=f"n-{i}-{hash(c)}", user_name="张三", app="web") for i, c in enumerate(contents)]
    store_page(source, Page(items=items, rejects=[], cursor=None, more=False), Pipeline.from_db())
    return list(Message.objects.filter(source=source).order_by("id"))


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def test_an_order_reaches_the_order_departments_group_and_no_other(hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_BOT", hook.url)
    monkeypatch.setenv("FINANCE_BOT", hook.url.replace("/hook", "/finance"))
    bot("orders-group", "ORDERS_BOT", department="orders")
    bot("finance-group", "FINANCE_BOT", department="finance")

    [order] = store("客户张三提交了订单10023，金额128.00元")
    assert Sender().step() == 1

    [posted] = hook.received()
    assert posted.path == "/hook"
    body = posted.json()
    assert body["title"] == "订单 · 128.00元"  # the category and the amount first
    assert body["message"].startswith("客户张三提交了订单10023，金额128.00元\n张三 · web\n")
    assert f"/m/{order.pk}/" in body["message"] and "/notify/ack/" in body["message"]
    row = Notification.objects.get()
    assert (row.status, row.target.name, posted.notification_id) == ("sent", "orders-group", str(row.key))


def test_a_withdrawal_reaches_finance_and_staff_003_personally(hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINANCE_BOT", hook.url)
    monkeypatch.setenv("WANG_FANG", hook.url.replace("/hook", "/003"))
    bot("finance-group", "FINANCE_BOT", department="finance")
    bot("003-phone", "WANG_FANG", staff="003")

    store("用户李四申请了提现，请及时审核")
    Sender().step()

    assert sorted(p.path for p in hook.received()) == ["/003", "/hook"]
    assert {p.json()["title"] for p in hook.received()} == {"【重要】提现"}


def test_an_english_hub_words_the_title_in_english(hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.sounds.language import set_hub_language

    set_hub_language("en")
    monkeypatch.setenv("ORDERS_BOT", hook.url)
    bot("orders-group", "ORDERS_BOT", department="orders", per_minute=1)
    store("Customer Alice Smith placed order #20031", "New order #20050 from Frank Li, total $89.90")
    Sender().step()

    [digest] = hook.received()
    assert digest.json()["title"] == "2 new messages"


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope)
        return "250 OK"


def test_mail_goes_through_a_real_smtp_server(monkeypatch: pytest.MonkeyPatch) -> None:
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=True),
    )
    controller.start()
    try:
        monkeypatch.setenv("ORDERS_MAIL", f"mailto://shop:pw@127.0.0.1:{port}?mode=insecure&from=hub@shop.test&to=orders@shop.test")
        bot("orders-mail", "ORDERS_MAIL", department="orders")
        store("客户张三提交了订单10023")
        assert Sender().step() == 1
    finally:
        controller.stop()
    [mail] = box.mails
    assert mail.rcpt_tos == ["orders@shop.test"]
    text = mail.content.decode("utf-8", "replace")
    assert "订单" in text or "=E8=AE=A2=E5=8D=95" in text or "6K6i5Y2V" in text  # the title, in whatever transfer encoding
    assert str(Notification.objects.get().key) in text


class Wire:
    """The one seam to the Internet: every HTTP POST Apprise makes, recorded and answered as the service would."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.calls: list[tuple[str, dict[str, str], bytes]] = []
        self.answer = answer

    def post(
        self, url: str, data: Any = None, headers: dict[str, str] | None = None, params: Any = None, **kw: Any
    ) -> requests.Response:
        body = data if isinstance(data, bytes) else (data or "").encode()
        full = requests.Request("POST", url, params=params).prepare().url or url
        self.calls.append((full, dict(headers or {}), body))
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.answer).encode()
        return response


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    seam = Wire({"errcode": 0, "errmsg": "ok", "code": 0, "StatusCode": 0})
    monkeypatch.setattr(requests, "post", seam.post)
    return seam


def test_a_dingtalk_group_bot_gets_a_signed_request(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    secret, token = "SEC" + "a" * 60, "b" * 64
    monkeypatch.setenv("DING", f"dingtalk://{secret}@{token}/")
    bot("orders-ding", "DING", department="orders")
    store("客户张三提交了订单10023")
    assert Sender().step() == 1

    [(url, headers, body)] = wire.calls
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path, query["access_token"]) == ("oapi.dingtalk.com", "/robot/send", [token])
    stamp = query["timestamp"][0]
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert query["sign"] == [quote(base64.b64encode(digest), safe="")]  # DingTalk's documented signature
    payload = json.loads(body)
    assert payload["msgtype"] in ("text", "markdown")
    assert "客户张三提交了订单10023" in json.dumps(payload, ensure_ascii=False)


def test_a_wecom_group_bot_gets_its_key_and_the_text(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "0123abcd-" + "e" * 27
    monkeypatch.setenv("WECOM", f"wecombot://{key}")
    bot("orders-wecom", "WECOM", department="orders")
    store("客户张三提交了订单10023")
    assert Sender().step() == 1

    [(url, headers, body)] = wire.calls
    parts = urlsplit(url)
    assert (parts.netloc, parts.path, parse_qs(parts.query)["key"]) == ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", [key])
    payload = json.loads(body)
    assert payload["msgtype"] in ("text", "markdown") and "客户张三提交了订单10023" in json.dumps(payload, ensure_ascii=False)


def test_a_feishu_group_bot_gets_its_hook_and_the_text(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    hook_id = "f" * 8 + "-" + "1" * 4 + "-" + "2" * 4 + "-" + "3" * 4 + "-" + "4" * 12
    monkeypatch.setenv("FEISHU", f"feishu://{hook_id}")
    bot("orders-feishu", "FEISHU", department="orders")
    store("客户张三提交了订单10023")
    assert Sender().step() == 1

    [(url, headers, body)] = wire.calls
    assert url.rstrip("/") == f"https://open.feishu.cn/open-apis/bot/v2/hook/{hook_id}"
    assert "客户张三提交了订单10023" in json.dumps(json.loads(body), ensure_ascii=False)


def test_a_secret_never_reaches_a_log_or_the_recorded_error(
    hook: Receiver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cretTOKENvalue"
    monkeypatch.setenv("ORDERS_BOT", hook.url.replace("json://", f"json://user:{secret}@"))
    hook.statuses = [500] * 3
    bot("orders-group", "ORDERS_BOT", department="orders")
    store("客户张三提交了订单10023")
    Sender().step()

    row = Notification.objects.get()
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert secret not in row.last_error
    assert all(secret not in r.getMessage() for r in caplog.records)
