"""The node's side of the acknowledgement: a receipt stays in its outbox, past the broker's
PUBACK, until the hub confirms it stored it; the node asks for what it missed on every connect
and takes an announcement sent to it alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mqtt import MissedRequest, Receipt, ReceiptKey, ReceiptsStored, Redelivery
from mqtt.broker import Mosquitto
from node.agent import Agent, receipt_ref
from node.outbox import flush_outbox
from node.store import FILENAME, Store
from tests.conftest import AlsaSink
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import Observer, announcement

__all__ = ["make_agent", "speech"]  # fixtures, used by name

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_a_store_from_before_the_confirmations_keeps_its_outbox_and_gains_the_new_columns(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / FILENAME)) as db:
        db.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "
                   "payload BLOB NOT NULL, qos INTEGER NOT NULL, created_at TEXT NOT NULL)")
        db.execute("INSERT INTO outbox (topic, payload, qos, created_at) VALUES ('t', x'00', 1, '2026-11-25T10:00:00Z')")
        db.commit()
    with Store.open(tmp_path) as store:
        [item] = store.outbox_pending()
        assert (item.topic, item.payload, item.ref) == ("t", b"\x00", None)
        store.outbox_put("t", b"r", ref="played a1")
        assert [i.ref for i in store.outbox_pending()] == [None, "played a1"]


@pytest.mark.clock
def test_a_receipt_stays_after_puback_goes_again_when_unconfirmed_and_leaves_when_confirmed(
    tmp_path: Path, broker: Mosquitto
) -> None:
    clock = Clock()
    with Store.open(tmp_path, now=clock) as store, Observer(broker.url, Receipt.subscription()) as observer:
        store.outbox_put(Receipt.topic(node_id=NODE), Receipt(id="a1", status="played", at=T0).to_json(),
                         ref=receipt_ref("a1", "played"))
        store.outbox_put("shopcrier/other", b"plain")  # without a ref: gone on PUBACK
        assert flush_outbox(store, observer.link, now=clock.now) is True
        assert [i.ref for i in store.outbox_pending(sent_before="9999")] == ["played a1"]
        assert store.outbox_pending() == []  # sent, waiting for the hub

        clock.now += timedelta(seconds=29)
        assert flush_outbox(store, observer.link, now=clock.now, resend_after=30) is True
        observer.sync()
        assert len(observer.receipts(NODE)) == 1
        clock.now += timedelta(seconds=2)
        assert flush_outbox(store, observer.link, now=clock.now, resend_after=30) is True
        observer.sync()
        assert len(observer.receipts(NODE)) == 2  # unconfirmed for 30 s: sent again

        assert store.outbox_unsend() == 1  # after a reconnect it goes at once
        assert store.outbox_confirm([receipt_ref("a1", "played")]) == 1
        assert store.outbox_size() == 0


def test_on_connect_the_node_asks_for_what_it_missed_and_plays_a_redelivery_once(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    with Observer(broker.url, MissedRequest.subscription(), Receipt.subscription()) as observer:
        agent = make_agent()
        connect(agent)
        assert step_until(agent, lambda: bool(observer.on(MissedRequest.topic(node_id=NODE))), 10)
        missed = announcement("missed-1")
        for _ in range(2):  # the hub may send it again before the receipt reaches it
            observer.publish(Redelivery.topic(node_id=NODE), Redelivery(missed).to_json())
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "missed-1")), 20)
        assert observer.receipts(NODE, "missed-1")[0].status == "played"
        assert [p.announcement_id for p in agent.store.recent_played(5)] == ["missed-1"]

        observer.publish(ReceiptsStored.topic(node_id=NODE),
                         ReceiptsStored((ReceiptKey("missed-1", "played"),)).to_json())
        assert step_until(agent, lambda: agent.store.outbox_size() == 0, 10)
