"""A committed delivery wakes the publisher at once, in the same process and from another.

The publisher here polls only every 60 s, so a delivery that reaches the
broker within the test's wait got there because a wake arrived, not a poll.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from django.db import transaction

import mqtt
from hub.outbox import wake
from hub.outbox.models import Delivery
from hub.outbox.publisher import Publisher
from mqtt.broker import Mosquitto
from mqtt.client import Link
from tests.ack_helpers import database_url, pg_database, prepared_hub  # noqa: F401  (the fixtures)
from tests.mqtt_helpers import Watcher
from tests.processes import Proc, hub_command, wait_until

SLOW_POLL = "60"
TOPIC = "shopcrier/events/wake-test"


def write_delivery_code(n: int) -> str:
    return (
        "from hub.outbox.models import Delivery\n"
        f"Delivery.objects.create(topic={TOPIC!r}, payload=b'wake {n}')\n"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the migrations' data for later tests
def test_a_delivery_committed_in_this_process_wakes_a_publisher_that_polls_once_a_minute(broker: Mosquitto) -> None:
    watcher = Watcher(broker.url, TOPIC)
    link = Link(mqtt.BrokerSettings.from_url(broker.url), "wake-test-hub", clean_start=True, session_expiry=0, manual_ack=True)
    publisher = Publisher(link, "shopcrier")
    stop = threading.Event()
    thread = threading.Thread(target=publisher.run, args=(stop, 60.0), daemon=True)
    thread.start()
    try:
        assert link.wait_connected(10)
        with transaction.atomic():
            Delivery.objects.create(topic=TOPIC, payload=b"paid 12.50")
        assert watcher.wait_for(lambda got: [m.payload for m in got] == [b"paid 12.50"], 20), watcher.topics()
    finally:
        stop.set()
        publisher.wake.set()
        thread.join(10)
        watcher.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the migrations' data for later tests
def test_a_rolled_back_delivery_wakes_nobody() -> None:
    wake.LOCAL.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        Delivery.objects.create(topic=TOPIC, payload=b"never")
        raise RuntimeError("the webhook failed after writing")
    assert not wake.LOCAL.is_set()
    with transaction.atomic():
        Delivery.objects.bulk_create([Delivery(topic=TOPIC, payload=b"kept")])
        assert not wake.LOCAL.is_set()  # not before the commit: the publisher would find nothing yet
    assert wake.LOCAL.is_set()


@pytest.mark.e2e
def test_a_delivery_committed_by_another_process_wakes_the_publisher_process(
    tmp_path: Path, broker: Mosquitto, database_url: str,  # noqa: F811  (the fixture)
) -> None:
    env = prepared_hub(tmp_path, broker.url, database_url)
    env["SHOPCRIER_OUTBOX_POLL"] = SLOW_POLL
    watcher = Watcher(broker.url, TOPIC)
    publisher = Proc("publish", hub_command("publish"), env, tmp_path)
    try:
        assert wait_until(lambda: "publisher started" in publisher.log(), 60), publisher.log()[-2000:]
        for n in range(3):
            subprocess.run(hub_command("shell", "-c", write_delivery_code(n)), env=env, check=True, timeout=60)
            assert watcher.wait_for(lambda got: len(got) == n + 1, 20), (watcher.topics(), publisher.log()[-2000:])
        assert [m.payload for m in watcher.drain()] == [b"wake 0", b"wake 1", b"wake 2"]
    finally:
        assert publisher.terminate() == 0, publisher.log()[-2000:]
        watcher.close()
