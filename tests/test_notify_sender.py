"""The notification outbox's guarantees: retried with back-off, failures recorded, claimed once, bursts folded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from hub.intake.adapters.base import Item, Page
from hub.intake.models import Source
from hub.intake.store import store_page
from hub.monitor.alerts import raise_alert
from hub.monitor.models import Alert
from hub.notify.base import Notice, TransportError
from hub.notify.models import Notification, Target
from hub.notify.sender import MAX_ATTEMPTS, Sender
from hub.pipeline import Pipeline
from tests.attention_helpers import Clock
from tests.notify_helpers import Receiver, bot, receiver

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # a moved clock decides back-off, leases and rate windows


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with receiver() as server:
        monkeypatch.setenv("ORDERS_BOT", server.url)
        yield server


def store(count: int = 1, start: int = 0) -> None:
    source, _ = Source.objects.get_or_create(name="shop", defaults={"url": "http://127.0.0.1:1/"})
    items = [Item(content=f"客户张三提交了订单{10000 + i}", external_id=f"o-{i}") for i in range(start, start + count)]
    store_page(source, Page(items=items, rejects=[], cursor=None, more=False), Pipeline.from_db())


def test_a_temporary_failure_is_retried_after_a_back_off_and_then_sent(hook: Receiver) -> None:
    clock = Clock()
    bot("orders-group", "ORDERS_BOT", department="orders")
    store()
    hook.statuses = [503]
    sender = Sender(clock=clock)

    assert sender.step() == 0
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.due_at) == ("pending", 1, clock.now + timedelta(seconds=5))
    assert sender.step() == 0 and len(hook.posts) == 1  # not due yet

    clock.advance(seconds=5)
    assert sender.step() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert len({p.notification_id for p in hook.posts}) == 1  # the same notification, tried twice


def test_a_url_apprise_cannot_read_fails_at_once_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_BOT", "nosuchscheme://whatever")
    bot("orders-group", "ORDERS_BOT", department="orders")
    store()

    assert Sender().step() == 1
    row = Notification.objects.get()
    assert row.status == "failed" and "not one Apprise understands" in row.last_error


def test_a_missing_variable_is_retried_and_given_up_after_the_last_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERS_BOT", raising=False)
    clock = Clock()
    bot("orders-group", "ORDERS_BOT", department="orders")
    store()
    sender = Sender(clock=clock)
    for _ in range(MAX_ATTEMPTS):
        sender.step()
        clock.advance(hours=1)

    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "ORDERS_BOT is not set" in row.last_error


def test_a_claimed_row_is_left_alone_until_its_lease_runs_out_then_sent_again_with_its_id(hook: Receiver) -> None:
    clock = Clock()
    bot("orders-group", "ORDERS_BOT", department="orders")
    store()

    class Dies:
        def notify(self, notice: Notice) -> None:
            raise KeyboardInterrupt  # a sender stopped between sending and marking

    with pytest.raises(KeyboardInterrupt):
        Sender(clock=clock, transports=lambda target: Dies()).step()
    assert Notification.objects.get().status == "sending"

    other = Sender(clock=clock)
    assert other.step() == 0 and not hook.posts  # still someone else's
    clock.advance(seconds=61)
    assert other.step() == 1
    [posted] = hook.posts
    assert posted.notification_id == str(Notification.objects.get().key)


def test_each_target_of_a_department_gets_one_row_even_when_the_message_is_written_twice(hook: Receiver) -> None:
    bot("orders-group", "ORDERS_BOT", department="orders")
    store(1)
    store(1)  # the same platform id again: dedup keeps one message, and the fan-out one row

    assert Notification.objects.count() == 1


def test_a_burst_of_100_orders_in_a_minute_reaches_a_dingtalk_shaped_bot_as_at_most_20_messages(hook: Receiver) -> None:
    clock = Clock()
    bot("orders-ding", "ORDERS_BOT", department="orders", per_minute=20)
    sender = Sender(clock=clock)
    sent_at = []
    for i in range(100):  # one order every 0.6 s, the sender stepping between them
        store(1, start=i)
        before = len(hook.posts)
        sender.step()
        sent_at += [clock.now] * (len(hook.posts) - before)
        clock.advance(seconds=0.6)
    for _ in range(3):  # the minute after the burst
        clock.advance(seconds=30)
        before = len(hook.posts)
        sender.step()
        sent_at += [clock.now] * (len(hook.posts) - before)

    assert max(sum(1 for t in sent_at if start <= t < start + timedelta(minutes=1)) for start in sent_at) <= 20
    assert Notification.objects.filter(status="sent").count() == 100  # none dropped
    bodies = [p.json() for p in hook.posts]
    singles = [b for b in bodies if "条新消息" not in b["title"]]
    folded = sum(int(b["title"].split(" ")[0]) for b in bodies if "条新消息" in b["title"])
    assert len(singles) + folded == 100
    assert any("订单 " in b["message"] for b in bodies if "条新消息" in b["title"])  # counted by category


def test_an_outage_reaches_every_target_marked_for_alerts(hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TECH_BOT", hook.url.replace("/hook", "/tech"))
    bot("orders-group", "ORDERS_BOT", department="orders")
    bot("tech-group", "TECH_BOT", department="tech", alerts=True)
    clock = Clock()

    raise_alert("node:spk-1", Alert.NODE, "speaker spk-1", "Speaker spk-1 is offline", clock.now, "shopcrier")
    Sender(clock=clock).step()

    assert [p.path for p in hook.posts] == ["/tech"]
    assert Notification.objects.get().target == Target.objects.get(name="tech-group")


def test_a_channel_that_raises_something_unexpected_is_recorded_and_the_sender_goes_on(hook: Receiver) -> None:
    bot("orders-group", "ORDERS_BOT", department="orders")
    store()

    class Broken:
        def notify(self, notice: Notice) -> None:
            raise ValueError("a bug in a channel")

    assert Sender(transports=lambda target: Broken()).step() == 0
    row = Notification.objects.get()
    assert (row.status, row.last_error) == ("pending", "ValueError in the channel")


def test_a_permanent_transport_error_is_recorded_with_its_reason(hook: Receiver) -> None:
    bot("orders-group", "ORDERS_BOT", department="orders")
    store()

    class Gone:
        def notify(self, notice: Notice) -> None:
            raise TransportError("the bot was removed from the group", permanent=True)

    assert Sender(transports=lambda target: Gone()).step() == 1
    assert Notification.objects.get().last_error == "the bot was removed from the group"
