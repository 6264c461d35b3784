"""MQTT 5 message expiry end to end: a speaker that was away does not get what expired meanwhile."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

import mqtt
from hub.outbox.models import Delivery
from hub.outbox.publisher import Publisher
from mqtt.broker import Mosquitto
from tests.attention_helpers import BASE, announced
from tests.processes import wait_until

pytestmark = pytest.mark.django_db


def speaker(broker: Mosquitto, client_id: str) -> mqtt.Link:
    """A speaker-like link: persistent session, subscribed to its department."""
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), client_id)
    link.subscribe(mqtt.Announcement.topic_for(mqtt.Route("ops", "orders"), BASE), qos=1)
    link.start()
    assert link.wait_connected(10)
    return link


def test_an_announcement_expires_at_the_broker_for_a_speaker_that_was_away(broker: Mosquitto) -> None:
    node_id = f"spk-{uuid.uuid4().hex[:6]}"
    away = speaker(broker, node_id)
    time.sleep(0.2)  # the SUBACK: the session holds the subscription
    away.stop()

    short = announced("客户张三提交了订单10023")
    long = announced("客户李四提交了订单10024")
    Delivery.objects.filter(message=short).exclude(announcement_id="").update(expires_at=timezone.now() + timedelta(seconds=1.5))
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), f"hub-{uuid.uuid4().hex[:6]}", manual_ack=True)
    link.start()
    assert link.wait_connected(10)
    publisher = Publisher(link, BASE)
    while publisher.publish_pending():
        pass
    link.stop()
    # the broker took both (no speaker is enrolled, so their announcements show no_speaker): expiry is its job now
    assert Delivery.objects.filter(status__in=(Delivery.SENT, Delivery.NO_SPEAKER)).count() == 4

    time.sleep(2.2)  # past the short one's 1 s message expiry
    back = speaker(broker, node_id)
    got: list[mqtt.Announcement] = []

    def drain() -> int:
        while not back.inbox.empty():
            event = back.inbox.get_nowait()
            if isinstance(event, mqtt.Received):
                got.append(mqtt.Announcement.from_json(event.payload))
        return len(got)

    assert wait_until(lambda: drain() >= 1, 10)
    assert not wait_until(lambda: drain() > 1, 1.0)
    assert [a.message_id for a in got] == [long.pk]
    back.stop()
