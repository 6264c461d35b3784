"""The hub's side of the acknowledgement, step by step, with a clock the test moves:
who is expected to answer, which receipts count, what is sent again and when."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

import mqtt
from hub.org.models import SpeakerNode
from hub.outbox.models import Delivery, Expectation, Receipt
from hub.outbox.publisher import Publisher
from mqtt.broker import Mosquitto
from tests.attention_helpers import Clock, announced, department
from tests.mqtt_helpers import Watcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(broker: Mosquitto) -> Iterator[mqtt.Link]:
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), f"hub-{uuid.uuid4().hex[:6]}", manual_ack=True)
    link.start()
    assert link.wait_connected(10)
    yield link
    link.stop()


def speaker(node_id: str, dept: str = "orders") -> SpeakerNode:
    return SpeakerNode.objects.create(node_id=node_id, department=department(dept))


def publish_all(publisher: Publisher) -> None:
    while publisher.publish_pending():
        pass


def test_each_speaker_following_a_topic_is_expected_once_and_an_unfollowed_one_is_no_speaker(link: mqtt.Link) -> None:
    speaker("spk-1"), speaker("spk-2"), speaker("spk-fin", "finance")
    both = announced("客户张三提交了订单10023", staff_no="003")  # orders, and staff 003's topic: one id
    nobody = announced("用户李四申请了提现", dept="service")
    publish_all(Publisher(link, "shopcrier"))

    announcement_id = Delivery.objects.filter(message=both).exclude(announcement_id="").first().announcement_id  # type: ignore[union-attr]
    assert sorted(Expectation.objects.filter(announcement_id=announcement_id).values_list("node_id", flat=True)) == [
        "spk-1", "spk-2"]
    unheard = Delivery.objects.filter(message=nobody).exclude(announcement_id="").get()
    assert unheard.status == Delivery.NO_SPEAKER
    assert not Expectation.objects.filter(announcement_id=unheard.announcement_id).exists()


def test_a_receipt_counts_only_from_a_speaker_it_was_sent_to_and_each_is_confirmed(
    broker: Mosquitto, link: mqtt.Link
) -> None:
    speaker("spk-1"), speaker("spk-fin", "finance")
    publisher = Publisher(link, "shopcrier")
    message = announced("客户张三提交了订单10023")
    publish_all(publisher)
    announcement_id = Delivery.objects.filter(message=message).exclude(announcement_id="").get().announcement_id
    watcher = Watcher(broker.url, mqtt.ReceiptsStored.subscription())

    played = mqtt.Receipt(id=announcement_id, status="played").to_json()
    assert publisher.record_receipt("spk-fin", played) is False  # finance never got it
    assert publisher.record_receipt("spk-1", played) is True
    assert publisher.record_receipt("spk-1", played) is False  # a repeat
    assert publisher.confirm() == 2

    assert list(Receipt.objects.values_list("node_id", flat=True)) == ["spk-1"]
    assert Expectation.objects.get(node_id="spk-1").answer == "played"
    assert watcher.wait_for(lambda got: len(got) == 2, 10)
    confirmed = {m.topic: mqtt.ReceiptsStored.from_json(m.payload).receipts for m in watcher.drain()}
    key = mqtt.ReceiptKey(announcement_id, "played")
    # the refused one too: the speaker may forget it, the hub will never take it
    assert confirmed == {mqtt.ReceiptsStored.topic(node_id="spk-1"): (key,),
                         mqtt.ReceiptsStored.topic(node_id="spk-fin"): (key,)}
    watcher.close()


@pytest.mark.clock
def test_an_online_speaker_that_does_not_answer_gets_it_again_with_back_off_until_it_expires(
    broker: Mosquitto, link: mqtt.Link
) -> None:
    speaker("spk-1")
    clock = Clock()
    publisher = Publisher(link, "shopcrier", clock=clock, redeliver_after=60)
    announced("客户张三提交了订单10023", at=clock.now)  # expires in an hour
    publish_all(publisher)
    watcher = Watcher(broker.url, mqtt.Redelivery.subscription())
    again = publisher.redeliverer

    assert again.redeliver_due(clock.advance(seconds=61)) == 0  # offline: nothing to send it to
    again.on_status("spk-1", b"online", clock.now)  # back online: at once
    assert again.redeliver_due(clock.now) == 1
    assert again.redeliver_due(clock.advance(seconds=59)) == 0  # then after 60 s
    assert again.redeliver_due(clock.advance(seconds=1)) == 1
    assert again.redeliver_due(clock.advance(seconds=60)) == 0  # then after 120 s
    assert again.redeliver_due(clock.advance(seconds=60)) == 1
    assert watcher.wait_for(lambda got: len(got) == 3, 10)
    assert {m.topic for m in watcher.drain()} == {mqtt.Redelivery.topic(node_id="spk-1")}
    first = mqtt.Redelivery.from_json(watcher.drain()[0].payload).announcement
    assert first.id == Expectation.objects.get().announcement_id

    assert again.lapse(clock.advance(hours=1)) == 1
    assert again.redeliver_due(clock.advance(hours=1)) == 0
    # a receipt that comes late still answers it
    assert publisher.record_receipt("spk-1", mqtt.Receipt(id=first.id, status="expired").to_json()) is True
    assert Expectation.objects.get().status == Expectation.ANSWERED
    watcher.close()


@pytest.mark.clock
def test_a_speaker_moved_to_another_department_gets_its_unexpired_backlog_when_it_asks(link: mqtt.Link) -> None:
    node = speaker("spk-1")
    clock = Clock()
    publisher = Publisher(link, "shopcrier", clock=clock)
    announced("用户李四申请了提现", dept="finance", at=clock.now)
    announced("用户王五申请了提现", dept="finance", at=clock.now - timedelta(minutes=59, seconds=30))
    publish_all(publisher)
    assert not Expectation.objects.exists()

    node.department = department("finance")
    node.save()
    clock.advance(seconds=31)  # the second one has expired
    assert publisher.redeliverer.on_missed("spk-1", mqtt.MissedRequest(at=clock.now).to_json(), clock.now) == 1
    assert Expectation.objects.get().delivery.status == Delivery.SENT  # no longer no_speaker
    assert publisher.redeliverer.on_missed("spk-1", b"junk", clock.now) == 0  # logged and dropped


def test_load_warns_of_a_route_no_speaker_follows(tmp_path: Path) -> None:
    speaker("spk-orders")
    out, err = io.StringIO(), io.StringIO()
    config = tmp_path / "shop.toml"
    config.write_text('[[routes]]\ncategory = "withdrawal"\ndepartment = "finance"\n'
                      '[[routes]]\ncategory = "order"\ndepartment = "orders"\n')
    call_command("load", str(config), stdout=out, stderr=err)
    warnings = [line for line in err.getvalue().splitlines() if line.startswith("warning:")]
    assert any("withdrawal → shopcrier/announce/ops/finance" in line for line in warnings), err.getvalue()
    assert not any("announce/ops/orders:" in line or "order → shopcrier/announce/ops/orders)" in line
                   for line in warnings)
