"""``python -m node`` as a real subprocess against a private Mosquitto, its audio in the ALSA sink.

Waits poll for a condition up to a deadline. A few checks are negative ("no
second receipt"): those wait a bounded NEGATIVE_WAIT_S and then assert.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mqtt import NodeStatus, Receipt, ReceiptKey, ReceiptsStored, Route
from mqtt.broker import Mosquitto
from tests.conftest import AlsaSink
from tests.node_helpers import (
    Observer,
    announcement,
    in_the_past,
    query_node_db,
    retained_status,
    settled_size,
    start_node,
    write_config,
)
from tests.processes import Proc, wait_until

pytestmark = pytest.mark.e2e

NODE = "spk-orders-1"
NEGATIVE_WAIT_S = 3.0
START_TIMEOUT_S = 30.0


@pytest.fixture
def config(tmp_path: Path, broker: Mosquitto) -> Path:
    return write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir="node-data")


@pytest.fixture
def observer(broker: Mosquitto) -> Iterator[Observer]:
    with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as watching:
        yield watching


@pytest.fixture
def node(config: Path, alsa_sink: AlsaSink, observer: Observer, tmp_path: Path) -> Iterator[Proc]:
    """The node, running and subscribed (its retained ``online`` is out); killed if a test left it up."""
    proc = start_online(config, alsa_sink, observer, tmp_path, "node")
    yield proc
    proc.kill()


def start_online(config: Path, sink: AlsaSink, observer: Observer, log_dir: Path, name: str) -> Proc:
    observer.drain()
    seen = len(observer.on(NodeStatus.topic(node_id=NODE)))
    proc = start_node(config, sink, log_dir, name)
    # The birth goes out after the subscriptions, so "online" means subscribed.
    online = wait_until(lambda: observer.on(NodeStatus.topic(node_id=NODE))[seen:].count(b"online") > 0,
                        START_TIMEOUT_S, 0.05)
    assert online, f"node did not come online:\n{proc.log()[-3000:]}"
    return proc


def test_it_plays_an_announcement_and_sends_a_played_receipt(
    node: Proc, observer: Observer, alsa_sink: AlsaSink
) -> None:
    observer.announce(announcement("order-1", text="客户张三提交了订单10023", lang="zh"))

    receipt = observer.wait_receipt(NODE, "order-1")

    assert receipt.status == "played", node.log()[-3000:]
    assert settled_size(alsa_sink) > 22050  # more than half a second of 16-bit audio


def test_it_plays_each_announcement_once_after_a_qos1_redelivery(
    node: Proc, observer: Observer, alsa_sink: AlsaSink
) -> None:
    item = announcement("order-2")
    observer.announce(item)
    assert observer.wait_receipt(NODE, "order-2").status == "played"
    size = settled_size(alsa_sink)

    observer.announce(item)  # what a QoS 1 redelivery looks like to the node: the same id again

    assert not wait_until(lambda: len(observer.receipts(NODE, "order-2")) > 1, NEGATIVE_WAIT_S)
    assert alsa_sink.size() == size
    assert "order-2 was seen before" in node.log()


def test_it_drops_an_invalid_payload_and_still_plays_a_later_valid_one(
    node: Proc, observer: Observer
) -> None:
    topic = announcement("x").topic()
    observer.publish(topic, b"not json at all")
    observer.publish(topic, announcement("bad-1").to_json().replace(b'"normal"', b'"shouting"'))
    observer.announce(announcement("good-1"))

    assert observer.wait_receipt(NODE, "good-1").status == "played"
    assert node.alive()
    assert observer.receipts(NODE, "bad-1") == []
    log = node.log()
    assert "payload is not JSON" in log and "announcement.priority" in log


def test_it_follows_announce_all_as_well_as_its_routes(node: Proc, observer: Observer) -> None:
    observer.announce(announcement("everyone-1", route=Route()))
    observer.announce(announcement("elsewhere-1", route=Route("ops", "finance")))

    assert observer.wait_receipt(NODE, "everyone-1").status == "played"
    assert not wait_until(lambda: bool(observer.receipts(NODE, "elsewhere-1")), NEGATIVE_WAIT_S)


def test_its_status_is_online_while_running_and_offline_after_sigterm(
    node: Proc, observer: Observer, broker: Mosquitto
) -> None:
    assert retained_status(broker.url, NODE) == b"online"

    assert node.terminate() == 0

    assert wait_until(lambda: observer.status(NODE) == b"offline", 10)
    assert retained_status(broker.url, NODE) == b"offline"


def test_after_sigkill_and_restart_it_plays_what_came_while_it_was_down_once_and_not_the_earlier_one(
    config: Path, node: Proc, observer: Observer, alsa_sink: AlsaSink, broker: Mosquitto, tmp_path: Path
) -> None:
    data_dir = tmp_path / "node-data"
    observer.announce(announcement("before-1"))
    assert observer.wait_receipt(NODE, "before-1").status == "played"
    # Confirm it as the hub does, so the node removes the receipt from its outbox:
    # the restart has nothing to re-send and any second receipt would be a replay.
    observer.publish(ReceiptsStored.topic(node_id=NODE), ReceiptsStored((ReceiptKey("before-1", "played"),)).to_json())
    assert wait_until(lambda: query_node_db(data_dir, "SELECT count(*) FROM outbox") == [(0,)], 10)

    node.kill()
    assert wait_until(lambda: observer.status(NODE) == b"offline", 10), "no LWT after SIGKILL"
    observer.announce(announcement("while-down-1", route=Route()))  # queued by the broker for the session

    restarted = start_online(config, alsa_sink, observer, tmp_path, "node-restarted")
    try:
        assert observer.wait_receipt(NODE, "while-down-1").status == "played", restarted.log()[-3000:]
        assert not wait_until(lambda: len(observer.receipts(NODE)) > 2, NEGATIVE_WAIT_S)
        assert [r.id for r in observer.receipts(NODE)] == ["before-1", "while-down-1"]
        assert query_node_db(data_dir, "SELECT id, status FROM announcements ORDER BY rowid") == [
            ("before-1", "played"), ("while-down-1", "played"),
        ]
        assert restarted.terminate() == 0
    finally:
        restarted.kill()


def test_an_expired_announcement_gets_an_expired_receipt_and_no_audio(
    node: Proc, observer: Observer, alsa_sink: AlsaSink
) -> None:
    observer.announce(announcement("stale-1", expires_at=in_the_past(60)))

    receipt = observer.wait_receipt(NODE, "stale-1")

    assert receipt.status == "expired"
    assert settled_size(alsa_sink) == 0
