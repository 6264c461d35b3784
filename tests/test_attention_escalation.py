"""Reminders every N minutes, K times, then one escalation; an acknowledgement stops it at once.

Time is a :class:`Clock` handed to the worker step; nothing sleeps for minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest

import mqtt
from hub.attention.ack import acknowledge
from hub.attention.escalation import escalate_due, write_round
from hub.attention.models import EscalationPolicy, FollowUp
from hub.intake.models import Message
from hub.outbox.models import Delivery
from hub.outbox.publisher import Publisher
from mqtt.broker import Mosquitto
from tests.attention_helpers import BASE, Clock, announced, category, department, staff
from tests.mqtt_helpers import Watcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy() -> EscalationPolicy:
    """Orders: again after 5 minutes, twice, then to finance's staff no. 003."""
    return EscalationPolicy.objects.create(
        category=category("order"), after_minutes=5, repeat=2, escalate_to_staff=staff("003", dept="finance")
    )


def rounds_of(message: Message) -> list[mqtt.Announcement]:
    """The message's announcements after the first, one per announcement id, oldest first."""
    seen: dict[str, mqtt.Announcement] = {}
    for payload in Delivery.objects.filter(message=message).exclude(announcement_id="").order_by("id").values_list("payload", flat=True):
        a = mqtt.Announcement.from_json(bytes(payload))
        seen.setdefault(a.id, a)
    return list(seen.values())[1:]


def at(clock: Clock, minutes: float) -> datetime:
    clock.advance(minutes=minutes)
    return clock.now


@pytest.mark.clock
def test_an_open_message_is_reminded_k_times_then_escalated_once(policy: EscalationPolicy) -> None:
    clock = Clock()
    message = announced("客户张三提交了订单10023", staff_no="017", at=clock.now)
    assert escalate_due(at(clock, 4.9), BASE) == 0
    assert escalate_due(at(clock, 0.2), BASE) == 1  # 5.1 min: first reminder
    assert escalate_due(clock.now, BASE) == 0  # not twice at the same moment
    assert escalate_due(at(clock, 5), BASE) == 1  # second reminder
    assert escalate_due(at(clock, 5), BASE) == 1  # escalation
    assert escalate_due(at(clock, 60), BASE) == 0  # done

    first, second, escalated = rounds_of(message)
    assert first.text == second.text == "再次提醒：客户张三提交了订单10023"
    assert first.id != second.id
    reminder_topics = set(Delivery.objects.filter(announcement_id=first.id).values_list("topic", flat=True))
    assert reminder_topics == {"shopcrier/announce/ops/orders", "shopcrier/announce/ops/orders/017"}  # the same topics
    assert escalated.text == "升级提醒：客户张三提交了订单10023"
    assert escalated.topic(BASE) == "shopcrier/announce/ops/finance/003"
    assert escalated.priority == "high"


@pytest.mark.clock
def test_an_english_reminder_says_reminder(policy: EscalationPolicy) -> None:
    clock = Clock()
    message = announced("Customer Tom placed order 10023", lang="en", at=clock.now)
    escalate_due(at(clock, 5), BASE)
    assert [a.text for a in rounds_of(message)] == ["Reminder: Customer Tom placed order 10023"]


@pytest.mark.clock
def test_acknowledging_stops_the_reminders_at_once(policy: EscalationPolicy) -> None:
    clock = Clock()
    message = announced("客户张三提交了订单10023", at=clock.now)
    assert escalate_due(at(clock, 5), BASE) == 1
    acknowledge(message.pk, "003", clock.now)
    assert escalate_due(at(clock, 5), BASE) == 0
    assert escalate_due(at(clock, 60), BASE) == 0
    assert len(rounds_of(message)) == 1
    # the pending reminder was cancelled too: nobody hears about it again
    assert not Delivery.objects.filter(message=message, status=Delivery.PENDING).exclude(announcement_id="").exists()


@pytest.mark.clock
def test_two_workers_never_write_the_same_round(policy: EscalationPolicy) -> None:
    clock = Clock()
    message = announced("客户张三提交了订单10023", at=clock.now)
    escalate_due(at(clock, 1), BASE)  # starts following; nothing due yet
    seen_by_a = FollowUp.objects.get(message=message)
    seen_by_b = FollowUp.objects.get(message=message)  # both read round 0
    assert write_round(seen_by_a, policy, at(clock, 5), BASE) == 1
    assert write_round(seen_by_b, policy, clock.now, BASE) == 0
    assert len(rounds_of(message)) == 1


@pytest.mark.clock
def test_messages_from_before_the_policy_and_other_categories_are_left_alone() -> None:
    clock = Clock()
    old = announced("客户张三提交了订单10023", at=clock.now)
    EscalationPolicy.objects.create(category=category("order"), after_minutes=5, repeat=1, created_at=at(clock, 1))
    refund = announced("用户李四申请退款", category_slug="refund", dept="service", at=clock.now)
    assert escalate_due(at(clock, 30), BASE) == 0
    assert rounds_of(old) == [] and rounds_of(refund) == []


@pytest.mark.clock
def test_without_a_target_it_stops_after_the_reminders() -> None:
    EscalationPolicy.objects.create(category=category("order"), after_minutes=5, repeat=1)
    clock = Clock()
    message = announced("客户张三提交了订单10023", at=clock.now)
    assert [escalate_due(at(clock, 5), BASE) for _ in range(3)] == [1, 0, 0]
    assert FollowUp.objects.get(message=message).done


@pytest.fixture
def publisher(broker: Mosquitto) -> Iterator[Publisher]:
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), f"hub-{uuid.uuid4().hex[:6]}", manual_ack=True)
    link.start()
    assert link.wait_connected(10)
    yield Publisher(link, BASE)
    link.stop()


@pytest.mark.clock
def test_each_round_reaches_the_broker_once_on_its_topics(policy: EscalationPolicy, broker: Mosquitto, publisher: Publisher) -> None:
    watcher = Watcher(broker.url, mqtt.Announcement.all_filter())
    clock = Clock()
    department("finance")
    announced("客户张三提交了订单10023", at=clock.now)
    for _ in range(4):
        escalate_due(clock.now, BASE)
        while publisher.publish_pending():
            pass
        clock.advance(minutes=5)
    assert watcher.wait_for(lambda got: len(got) >= 4, 10)
    texts = [(m.topic, mqtt.Announcement.from_json(m.payload).text) for m in watcher.drain()]
    assert texts == [
        ("shopcrier/announce/ops/orders", "客户张三提交了订单10023"),
        ("shopcrier/announce/ops/orders", "再次提醒：客户张三提交了订单10023"),
        ("shopcrier/announce/ops/orders", "再次提醒：客户张三提交了订单10023"),
        ("shopcrier/announce/ops/finance/003", "升级提醒：客户张三提交了订单10023"),
    ]
    watcher.close()


def test_the_escalate_command_writes_what_is_due_once(policy: EscalationPolicy) -> None:
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    EscalationPolicy.objects.filter(pk=policy.pk).update(created_at=timezone.now() - timedelta(hours=1))
    message = announced("客户张三提交了订单10023", at=timezone.now() - timedelta(minutes=6))
    out = StringIO()
    call_command("escalate", "--once", stdout=out)
    call_command("escalate", "--once", stdout=out)
    assert out.getvalue().split("\n")[:2] == ["1 round(s) written", "0 round(s) written"]
    assert len(rounds_of(message)) == 1
