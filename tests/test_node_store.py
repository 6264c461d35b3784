"""The node's SQLite store: dedup that survives a reboot, play order, crash recovery, the outbox."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from mqtt import Priority
from node.store import FILENAME, Store
from tests.node_helpers import announcement


def test_it_accepts_an_announcement_once_even_across_closing_and_reopening(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        assert store.accept(announcement("a1")) is True
        assert store.accept(announcement("a1")) is False
        store.mark("a1", "played")

    with Store.open(tmp_path) as reopened:
        assert reopened.accept(announcement("a1")) is False
        assert reopened.status("a1") == "played"
        assert reopened.next_queued() is None


def test_a_redelivered_id_does_not_replace_what_was_stored(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.accept(announcement("a1", text="First text."))
        store.accept(announcement("a1", text="Second text."))

        queued = store.next_queued()
        assert queued is not None and queued.text == "First text."
        assert store.queue_depth() == 1


def test_it_plays_urgent_then_high_then_normal_and_first_come_first_within_each(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        arrivals: list[tuple[str, Priority]] = [
            ("n1", "normal"), ("h1", "high"), ("u1", "urgent"), ("n2", "normal"), ("h2", "high"), ("u2", "urgent"),
        ]
        for announcement_id, priority in arrivals:
            store.accept(announcement(announcement_id, priority=priority))

        order = []
        while (item := store.next_queued()) is not None:
            order.append(item.id)
            store.mark(item.id, "played")

    assert order == ["u1", "u2", "h1", "h2", "n1", "n2"]


def test_an_announcement_left_playing_by_a_crash_is_queued_again_on_reopen(tmp_path: Path) -> None:
    crashed = Store.open(tmp_path)
    crashed.accept(announcement("a1"))
    crashed.accept(announcement("a2"))
    crashed.mark("a1", "playing")
    crashed.mark("a2", "played")
    crashed.close()  # as good as a crash: nothing else ran

    with Store.open(tmp_path) as store:
        assert store.status("a1") == "queued"
        assert store.status("a2") == "played"
        queued = store.next_queued()
        assert queued is not None and queued.id == "a1"


def test_queue_depth_counts_only_what_waits(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        for announcement_id in ("a1", "a2", "a3"):
            store.accept(announcement(announcement_id))
        store.mark("a1", "played")
        store.mark("a2", "playing")

        assert store.queue_depth() == 1


def test_the_outbox_keeps_order_and_survives_a_reopen(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        seqs = [store.outbox_put("t/1", b"one"), store.outbox_put("t/2", b"two", qos=0), store.outbox_put("t/3", b"3")]
        store.outbox_remove(seqs[0])

    with Store.open(tmp_path) as store:
        pending = store.outbox_pending()
        assert [(i.topic, i.payload, i.qos) for i in pending] == [("t/2", b"two", 0), ("t/3", b"3", 1)]
        assert store.outbox_pending(limit=1)[0].seq == seqs[1]
        # A sequence number is never reused, so order holds even after the newest row left.
        store.outbox_remove(seqs[2])
        assert store.outbox_put("t/4", b"four") > seqs[2]


def test_receipt_and_status_commit_together_or_not_at_all(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.accept(announcement("a1"))
        try:
            with store.transaction():
                store.mark("a1", "played")
                store.outbox_put("t", b"receipt")
                raise RuntimeError("power cut")
        except RuntimeError:
            pass

        assert store.status("a1") == "queued"
        assert store.outbox_size() == 0


def test_two_stores_can_be_open_at_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "one") as one, Store.open(tmp_path / "two") as two:
        one.accept(announcement("a1"))

        assert two.accept(announcement("a1")) is True
        assert one.queue_depth() == 1 and two.queue_depth() == 1
        assert (tmp_path / "one" / FILENAME).exists() and (tmp_path / "two" / FILENAME).exists()


def test_the_database_runs_in_wal_mode(tmp_path: Path) -> None:
    with Store.open(tmp_path):
        with closing(sqlite3.connect(tmp_path / FILENAME)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
