"""The outbox publisher against a real Mosquitto: QoS 1, marked sent on PUBACK, receipts recorded once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

import mqtt
from hub.intake.poller import Poller
from hub.outbox.models import Delivery, Receipt
from hub.outbox.publisher import Publisher
from hub.simulator.server import SimulatorServer
from mqtt.broker import Mosquitto
from tests.hub_helpers import enrolled, simulator_source
from tests.mqtt_helpers import Watcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(broker: Mosquitto) -> Iterator[Publisher]:
    link = mqtt.Link(
        mqtt.BrokerSettings.from_url(broker.url),
        f"hub-{uuid.uuid4().hex[:6]}",
        status_topic=mqtt.HubStatus.topic(),
        manual_ack=True,
    )
    link.subscribe(mqtt.Receipt.subscription(), qos=1)
    link.start()
    assert link.wait_connected(10)
    yield Publisher(link, "shopcrier")
    link.stop()


def test_each_delivery_is_published_once_and_marked_sent_on_puback(
    simulator: SimulatorServer, broker: Mosquitto, publisher: Publisher
) -> None:
    watcher = Watcher(broker.url, "shopcrier/#")
    Poller().poll_source(simulator_source(simulator.url))
    owed = Delivery.objects.count()
    while publisher.publish_pending():
        pass
    # no speaker is enrolled: the broker took every announcement, but nobody will say it
    assert Delivery.objects.filter(status=Delivery.SENT).count() == Delivery.objects.filter(announcement_id="").count()
    assert Delivery.objects.filter(status=Delivery.NO_SPEAKER).count() == owed - Delivery.objects.filter(announcement_id="").count()
    assert publisher.publish_pending() == 0  # nothing is sent twice
    assert watcher.wait_for(lambda got: len([m for m in got if "/hub/" not in m.topic]) >= owed, 10)
    published = [m for m in watcher.drain() if m.topic != mqtt.HubStatus.topic()]
    assert sorted(m.topic for m in published) == sorted(Delivery.objects.values_list("topic", flat=True))
    assert all(m.qos == 1 for m in published)
    watcher.close()


def test_the_hub_status_is_retained_online(broker: Mosquitto, publisher: Publisher) -> None:
    watcher = Watcher(broker.url, mqtt.HubStatus.topic())
    assert watcher.wait_for(lambda got: any(m.payload == b"online" and m.retain for m in got), 5)
    watcher.close()


def test_an_announcement_past_its_expiry_is_not_sent(simulator: SimulatorServer, publisher: Publisher) -> None:
    from django.utils import timezone

    Poller().poll_source(simulator_source(simulator.url))
    stale = Delivery.objects.exclude(announcement_id="").first()
    assert stale is not None
    Delivery.objects.filter(pk=stale.pk).update(expires_at=timezone.now())
    publisher.publish_pending()
    stale.refresh_from_db()
    assert stale.status == Delivery.EXPIRED


def test_a_receipt_is_recorded_once_and_a_bad_one_is_dropped(simulator: SimulatorServer, publisher: Publisher) -> None:
    Poller().poll_source(simulator_source(simulator.url))
    delivery = Delivery.objects.exclude(announcement_id="").first()
    assert delivery is not None
    route = mqtt.Announcement.parse_topic(delivery.topic)
    assert route is not None and route.department is not None
    enrolled("spk-1", department=route.department)  # a speaker that follows the announcement's topic
    payload = mqtt.Receipt(id=delivery.announcement_id, status="played").to_json()
    assert publisher.record_receipt("spk-1", payload) is True
    assert publisher.record_receipt("spk-1", payload) is False  # a QoS 1 repeat
    assert publisher.record_receipt("spk-1", b'{"v": 1, "id": "x", "status": "sung"}') is False
    assert publisher.record_receipt("spk-1", b"\xff\xfe") is False
    receipt = Receipt.objects.get()
    assert (receipt.node_id, receipt.status, receipt.message_id) == ("spk-1", "played", delivery.message_id)
