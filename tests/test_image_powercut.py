"""A speaker's power cut, outside the VM: ``python -m node`` SIGKILLed mid-announcement, then started again.

The VM test's second boot (tests/test_image_vm.py) in seconds: a real
Mosquitto, the real node as a subprocess, its audio through PortAudio and
ALSA's file plugin, the test playing the hub's part in the acknowledgement
(it confirms receipts with ``node/{id}/stored``, as the hub does once it
stored them). What DESIGN.md (delivery guarantees 3 and 4) and docs/node.md
promise, exactly:

- an announcement whose ``played`` receipt the hub stored before the cut is
  never said again, and its receipt never sent again;
- the one cut off mid-sentence is said again, in full, once, and its
  ``played`` receipt goes to the broker once on the new connection; it goes
  again only if the hub leaves it unconfirmed (after a reconnect or 30 s),
  and never after the hub confirmed it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from mqtt import NodeStatus, Receipt, ReceiptKey, ReceiptsStored
from mqtt.broker import Mosquitto
from node.greeting import connected_text
from node.speech import Speech
from tests.conftest import AlsaSink
from tests.node_agents import speech
from tests.node_helpers import (
    ORDERS, Observer, announcement, occurrences, query_node_db, settled_size, start_node, write_config,
)
from tests.processes import Proc, wait_until

__all__ = ["speech"]  # a fixture, used by name

pytestmark = pytest.mark.e2e

NODE = "spk-cut-1"
SHORT = "客户张三提交了订单10023。"
# Several sentences, each said once: the node synthesises them one by one while the first plays,
# which leaves time to cut the power mid-announcement even on a sound sink that does not pace.
LONG = ("用户李四申请了提现五千元，请财务部门及时审核。客户王五对订单10086提出申诉，请客服部门尽快处理。"
        "商户赵六已提交入驻申请，请运营部门审核资料。用户钱七申请退款三百元，请售后部门处理。"
        "客户孙八提交了订单20031，请订单部门发货。")
START_TIMEOUT_S = 30.0
NEGATIVE_WAIT_S = 3.0  # well below the outbox's 30 s resend: a copy within it is a double send


@pytest.fixture
def observer(broker: Mosquitto) -> Iterator[Observer]:
    with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as watching:
        yield watching


def status_of(data_dir: Path, ident: str) -> str | None:
    rows = query_node_db(data_dir, f"SELECT status FROM announcements WHERE id = '{ident}'")
    return str(rows[0][0]) if rows else None


def outbox_refs(data_dir: Path) -> list[str]:
    return [str(ref) for (ref,) in query_node_db(data_dir, "SELECT ref FROM outbox ORDER BY seq")]


def confirm(observer: Observer, ident: str) -> None:
    """What the hub sends once it stored the receipt."""
    observer.publish(ReceiptsStored.topic(node_id=NODE), ReceiptsStored((ReceiptKey(ident, "played"),)).to_json())


def start_online(config: Path, sink: AlsaSink, observer: Observer, log_dir: Path, name: str) -> Proc:
    seen = observer.on(NodeStatus.topic(node_id=NODE)).count(b"online")
    proc = start_node(config, sink, log_dir, name)
    online = wait_until(lambda: observer.on(NodeStatus.topic(node_id=NODE)).count(b"online") > seen,
                        START_TIMEOUT_S, 0.05)
    assert online, f"node did not come online:\n{proc.log()[-3000:]}"
    return proc


def played_in(log: str) -> list[str]:
    return [line.split("playing announcement ")[1].split()[0] for line in log.splitlines()
            if "playing announcement " in line]


def test_a_speaker_cut_off_mid_announcement_says_it_again_in_full_once_and_sends_its_receipt_once(
    broker: Mosquitto, alsa_sink: AlsaSink, observer: Observer, speech: Speech, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir="node-data",
                          extra='greet = true\nlanguage = "zh"\nvolume = 100')
    data_dir = tmp_path / "node-data"
    first = start_online(config, alsa_sink, observer, tmp_path, "boot1")
    try:
        observer.announce(announcement("cut-a1", text=SHORT, lang="zh"))
        assert observer.wait_receipt(NODE, "cut-a1").status == "played"
        confirm(observer, "cut-a1")
        assert wait_until(lambda: outbox_refs(data_dir) == [], 10), outbox_refs(data_dir)

        observer.announce(announcement("cut-a2", text=LONG, lang="zh"))
        assert wait_until(lambda: status_of(data_dir, "cut-a2") == "playing", 30, 0.005), first.log()[-3000:]
        first.kill()  # the power cut: SIGKILL, nothing finishes
    finally:
        first.kill()
    assert status_of(data_dir, "cut-a2") == "playing", "the cut came after the announcement had finished"
    assert observer.receipts(NODE, "cut-a2") == []
    before = settled_size(alsa_sink)

    second = start_online(config, alsa_sink, observer, tmp_path, "boot2")
    try:
        assert wait_until(lambda: bool(observer.receipts(NODE, "cut-a2")), 60, 0.05), second.log()[-3000:]
        wait_until(lambda: len(observer.receipts(NODE, "cut-a2")) > 1, NEGATIVE_WAIT_S)
        assert [r.status for r in observer.receipts(NODE, "cut-a2")] == ["played"], second.log()[-3000:]
        assert [r.status for r in observer.receipts(NODE, "cut-a1")] == ["played"]  # boot 1's, confirmed: not again
        confirm(observer, "cut-a2")
        assert wait_until(lambda: outbox_refs(data_dir) == [], 10), outbox_refs(data_dir)
        assert played_in(second.log()) == ["cut-a2"]
        assert second.terminate() == 0
    finally:
        second.kill()

    heard = np.frombuffer(alsa_sink.read()[before:], dtype="<i2").astype(np.int16)
    sentences = [pcm.samples for pcm in speech.synthesize(LONG, "zh")]
    greeting = [pcm.samples for pcm in speech.synthesize(*connected_text((ORDERS,), "zh"))]
    assert len(sentences) >= 3
    assert [occurrences(heard, s) for s in sentences] == [1] * len(sentences)  # all of it, once
    assert [occurrences(heard, s) for s in greeting] == [1] * len(greeting)
    assert [occurrences(heard, pcm.samples) for pcm in speech.synthesize(SHORT, "zh")] == [0]
    with closing(sqlite3.connect(data_dir / "node.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert dict(db.execute("SELECT id, status FROM announcements").fetchall()) == {
            "cut-a1": "played", "cut-a2": "played"}
