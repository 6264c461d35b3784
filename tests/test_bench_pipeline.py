"""Benchmark: the outbox publisher beside raw paho QoS 1, same broker, same run (``make bench``).

N stored messages, each with its event and one announcement (the rows the
pipeline writes), are published by :meth:`Publisher.publish_pending` until
all are marked sent: stored message → PUBACK → marked. The baseline publishes
the same topics and payloads with a bare paho client at QoS 1 (publish all,
then wait for every PUBACK). The measuring runs inside ``shopcrier-hub shell``
so the hub uses its real SQLite file (WAL), not the tests' in-memory database.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from mqtt.broker import Mosquitto
from tests.processes import hub_command, hub_env

pytestmark = pytest.mark.bench

MESSAGES = 5000


def raw_rate(broker_url: str, rows: list[tuple[str, bytes]]) -> float:
    """Publishes a second with a bare paho MQTT 5 client: publish all, wait for all PUBACKs."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    import mqtt

    settings = mqtt.BrokerSettings.from_url(broker_url)
    done, acked, lock = threading.Event(), [0], threading.Lock()

    def on_publish(*args: object) -> None:
        with lock:
            acked[0] += 1
            if acked[0] == len(rows):
                done.set()

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-{uuid.uuid4().hex[:6]}", protocol=paho.MQTTv5)
    client.on_publish = on_publish
    client.connect(settings.host, settings.port)
    client.loop_start()
    try:
        started = time.perf_counter()
        for topic, payload in rows:
            client.publish(topic, payload, qos=1)
        assert done.wait(120), f"{acked[0]} of {len(rows)} acknowledged"
        return len(rows) / (time.perf_counter() - started)
    finally:
        client.disconnect()
        client.loop_stop()


def measure(broker_url: str, messages: int) -> None:
    """Run inside ``shopcrier-hub shell``: prints one JSON line of figures."""
    from django.conf import settings

    from hub.outbox.models import Delivery
    from hub.outbox.publisher import Publisher, make_link
    from hub.org.models import SpeakerNode
    from tests.attention_helpers import announced, department

    from django.db import transaction

    with transaction.atomic():
        # three speakers follow the department: each announcement sent writes three expectations
        for n in range(3):
            SpeakerNode.objects.create(node_id=f"spk-bench-{n}", department=department("orders"))
        for n in range(messages):
            announced(f"客户{n}号提交了订单{100000 + n}", lang="zh" if n % 2 else "en")
    rows = [(t, bytes(p)) for t, p in Delivery.objects.order_by("id").values_list("topic", "payload")]

    link = make_link(f"bench-{uuid.uuid4().hex[:6]}")
    link.start()
    assert link.wait_connected(10)
    publisher = Publisher(link, settings.MQTT_BASE_TOPIC)
    started = time.perf_counter()
    sent = 0
    while sent < len(rows):
        sent += publisher.publish_pending()
    pipeline = len(rows) / (time.perf_counter() - started)
    link.stop()
    assert Delivery.objects.filter(status=Delivery.SENT).count() == len(rows)

    raw = raw_rate(broker_url, rows)
    print(json.dumps({"messages": messages, "publishes": len(rows), "pipeline": pipeline, "raw": raw}))


def test_bench_pipeline_throughput_beside_raw_paho(tmp_path: Path, broker: Mosquitto) -> None:
    env = hub_env(tmp_path / "hub", broker.url, {"SHOPCRIER_LOG_LEVEL": "WARNING"})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    code = f"from tests.test_bench_pipeline import measure; measure({broker.url!r}, {MESSAGES})"
    done = subprocess.run(hub_command("shell", "-c", code), env=env, check=True, timeout=600, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    per_message = figures["publishes"] / figures["messages"]
    ratio = figures["pipeline"] / figures["raw"]
    print(
        f"\npipeline (stored message → PUBACK → marked sent, SQLite): {figures['pipeline']:,.0f} publishes/s "
        f"({figures['pipeline'] / per_message:,.0f} messages/s); raw paho QoS 1: {figures['raw']:,.0f} publishes/s; "
        f"ratio {ratio:.2f} ({figures['publishes']:,} publishes, {figures['messages']:,} messages)"
    )
