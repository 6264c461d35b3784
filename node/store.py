"""The node's local store: every announcement it has accepted, and its outbox.

One SQLite file, ``{data_dir}/node.sqlite3``, in WAL mode. "Never play one
twice" lives here: an announcement id is the table's PRIMARY KEY, so a QoS 1
redelivery or a reboot finds it already there (:meth:`Store.accept` returns
False). Rows are kept after playing for exactly that reason.

The outbox holds what the node must tell the hub, in order; it survives a
broker outage and a reboot. A row with a ``ref`` (a receipt: its
announcement id and status) stays after the broker's PUBACK, marked
``sent_at``, until the hub confirms it stored it (:meth:`Store.outbox_confirm`):
a broker that crashes before saving it to disk loses nothing, since the row
is sent again. A row without a ``ref`` goes on PUBACK.

Each :class:`Store` has its own peewee database and its own model classes
bound to it, so two stores can be open at once (tests do that).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from peewee import (
    SQL,
    AutoField,
    BlobField,
    Case,
    CharField,
    IntegerField,
    IntegrityError,
    Model,
    NodeList,
    SqliteDatabase,
    TextField,
)

from mqtt import Announcement, PayloadError
from mqtt.fields import format_time

from .clock import Clock, utc_now

log = logging.getLogger(__name__)

FILENAME = "node.sqlite3"
# synchronous=full: each commit is on the disk before the broker is told the
# announcement is stored (the QoS 1 ack), and before "played" is final. With
# "normal", a power cut loses the last commits of a WAL database: the VM test
# saw a speaker forget an announcement it had acknowledged, cut mid-sentence.
# A handful of fsyncs per announcement is no wear for an SD card.
PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "busy_timeout": 5000}

Status = Literal["queued", "playing", "played", "failed", "expired"]
STATUSES: tuple[Status, ...] = ("queued", "playing", "played", "failed", "expired")
FINISHED: frozenset[Status] = frozenset({"played", "failed", "expired"})
HISTORY_LIMIT = 50


class AnnouncementRow(Model):
    """One accepted announcement. ``payload`` is its JSON as received (re-validated on read)."""

    id = CharField(primary_key=True, max_length=128)
    payload = TextField()
    priority = CharField(max_length=8)
    status = CharField(max_length=8, index=True)
    received_at = TextField()  # RFC 3339 UTC
    finished_at = TextField(null=True)


class AutoIncrementField(AutoField):
    """INTEGER PRIMARY KEY AUTOINCREMENT: a sequence number is never reused, even after the newest row is deleted."""

    def ddl(self, ctx: Any) -> NodeList:
        return NodeList((super().ddl(ctx), SQL("AUTOINCREMENT")))


class OutboxRow(Model):
    """One message waiting for the broker's (and, with a ``ref``, the hub's) acknowledgement; ``seq`` gives the order."""

    seq = AutoIncrementField()
    topic = TextField()
    payload = BlobField()
    qos = IntegerField()
    created_at = TextField()  # RFC 3339 UTC
    ref = TextField(null=True, index=True)  # what the hub's confirmation names it by
    sent_at = TextField(null=True)  # RFC 3339 UTC of the last PUBACK; NULL: (re)send it


# Columns added after the first release; an older store gets them on open.
_ADDED_COLUMNS = {"outbox": (("ref", "TEXT"), ("sent_at", "TEXT"))}


class SettingRow(Model):
    """One named value the node keeps across reboots (the hub's last config)."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()


class HistoryRow(Model):
    """One announcement as played, for ``replay``; only the newest HISTORY_LIMIT are kept."""

    seq = AutoIncrementField()
    announcement_id = CharField(max_length=128)
    text = TextField()
    lang = CharField(max_length=16)
    played_at = TextField()  # RFC 3339 UTC


@dataclass(frozen=True)
class Played:
    """An entry of the play history."""

    announcement_id: str
    text: str
    lang: str


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    topic: str
    payload: bytes
    qos: int
    ref: str | None = None


class Store:
    """The node's SQLite store. Use from one thread (the agent's main loop)."""

    def __init__(self, path: Path, *, now: Clock = utc_now) -> None:
        self.path = path
        self.now = now
        self._db = SqliteDatabase(str(path), pragmas=PRAGMAS)

        # Model classes of this store's own, bound to its database: binding the
        # module-level classes would point every open store at the last one.
        class Announcements(AnnouncementRow):
            class Meta:
                database = self._db
                table_name = "announcements"

        class Outbox(OutboxRow):
            class Meta:
                database = self._db
                table_name = "outbox"

        class Settings(SettingRow):
            class Meta:
                database = self._db
                table_name = "settings"

        class History(HistoryRow):
            class Meta:
                database = self._db
                table_name = "history"

        self._announcements = Announcements
        self._outbox = Outbox
        self._settings = Settings
        self._history = History

    @classmethod
    def open(cls, data_dir: Path, *, now: Clock = utc_now) -> Store:
        """Open (creating if need be) ``{data_dir}/node.sqlite3`` and recover from a crash."""
        data_dir.mkdir(parents=True, exist_ok=True)
        store = cls(data_dir / FILENAME, now=now)
        store.connect()
        return store

    def connect(self) -> None:
        self._db.connect(reuse_if_open=True)
        self._add_missing_columns()
        self._db.create_tables([self._announcements, self._outbox, self._settings, self._history])
        A = self._announcements
        # A crash (or power cut) mid-announcement leaves it `playing`. Half heard
        # counts as unheard: queue it again so it is played in full.
        requeued = A.update(status="queued").where(A.status == "playing").execute()
        if requeued:
            log.warning("re-queued %s announcement(s) interrupted while playing", requeued)

    def _add_missing_columns(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            if not self._db.table_exists(table):
                continue  # create_tables makes it whole
            have = {column.name for column in self._db.get_columns(table)}
            for name, kind in columns:
                if name not in have:
                    self._db.execute_sql(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")  # type: ignore[no-untyped-call]
                    log.info("store: added %s.%s", table, name)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all (nests as a savepoint)."""
        with self._db.atomic():
            yield

    # -- announcements ---------------------------------------------------------
    def accept(self, announcement: Announcement) -> bool:
        """Queue ``announcement``; False when its id was seen before (nothing changes)."""
        A = self._announcements
        try:
            with self._db.atomic():
                A.insert(
                    id=announcement.id,
                    payload=announcement.to_json().decode(),
                    priority=announcement.priority,
                    status="queued",
                    received_at=format_time(self.now()),
                ).execute()
        except IntegrityError:
            return False
        return True

    def next_queued(self, *, urgent_only: bool = False) -> Announcement | None:
        """The announcement to play next: urgent, then high, then normal; oldest first within one.

        ``urgent_only``: only an urgent one (during quiet hours), else None.
        """
        A = self._announcements
        rank = Case(A.priority, (("urgent", 0), ("high", 1)), 2)
        where = (A.status == "queued") & (A.priority == "urgent") if urgent_only else (A.status == "queued")
        while True:
            # rowid grows with every insert, so it is arrival order even when the
            # wall clock steps back.
            row = A.select().where(where).order_by(rank, SQL("rowid")).first()
            if row is None:
                return None
            try:
                return Announcement.from_json(row.payload)
            except PayloadError as exc:  # stored by an older version with another schema
                log.error("announcement %s in the store is unreadable, marking it failed: %s", row.id, exc)
                self.mark(row.id, "failed")

    def mark(self, announcement_id: str, status: Status) -> None:
        """Set the status; a finished one (played, failed, expired) gets ``finished_at``."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        A = self._announcements
        finished_at = format_time(self.now()) if status in FINISHED else None
        updated = A.update(status=status, finished_at=finished_at).where(A.id == announcement_id).execute()
        if not updated:
            log.warning("cannot mark announcement %s %s: not in the store", announcement_id, status)

    def status(self, announcement_id: str) -> Status | None:
        """The status of one announcement, None when it was never accepted."""
        A = self._announcements
        row = A.get_or_none(A.id == announcement_id)
        if row is None:
            return None
        return cast(Status, row.status)  # only STATUSES are ever written

    def queued(self, limit: int = 200) -> list[Announcement]:
        """Queued announcements in arrival order (unreadable ones skipped), for sweeping out the expired."""
        A = self._announcements
        found = []
        for row in A.select().where(A.status == "queued").order_by(SQL("rowid")).limit(limit):
            try:
                found.append(Announcement.from_json(row.payload))
            except PayloadError:
                continue  # next_queued() marks it failed when its turn comes
        return found

    def queue_depth(self) -> int:
        A = self._announcements
        return int(A.select().where(A.status == "queued").count())

    # -- outbox ---------------------------------------------------------------
    def outbox_put(self, topic: str, payload: bytes, qos: int = 1, *, ref: str | None = None) -> int:
        """Append a message; returns its sequence number. ``ref``: keep it until the hub confirms ``ref``."""
        O = self._outbox
        return int(O.insert(topic=topic, payload=payload, qos=qos, created_at=format_time(self.now()),
                            ref=ref).execute())

    def outbox_pending(self, limit: int = 100, *, sent_before: str | None = None) -> list[OutboxItem]:
        """Up to ``limit`` messages to send, oldest first: those never sent (or unsent by
        :meth:`outbox_unsend`), and those whose last send was before ``sent_before`` (RFC 3339 UTC)."""
        O = self._outbox
        due = O.sent_at.is_null()
        if sent_before is not None:
            due = due | (O.sent_at < sent_before)
        rows = O.select().where(due).order_by(O.seq).limit(limit)
        return [OutboxItem(row.seq, row.topic, bytes(row.payload), row.qos, row.ref) for row in rows]

    def outbox_remove(self, seq: int) -> None:
        O = self._outbox
        O.delete().where(O.seq == seq).execute()

    def outbox_sent(self, seq: int) -> None:
        """The broker took it: wait for the hub's confirmation before sending it again."""
        O = self._outbox
        O.update(sent_at=format_time(self.now())).where(O.seq == seq).execute()

    def outbox_unsend(self) -> int:
        """Send every unconfirmed message again (after a reconnect: the broker may have lost them)."""
        O = self._outbox
        return int(O.update(sent_at=None).where(O.sent_at.is_null(False)).execute())

    def outbox_confirm(self, refs: list[str]) -> int:
        """The hub is done with these: forget them. Returns how many rows went."""
        O = self._outbox
        gone = 0
        for i in range(0, len(refs), 200):
            gone += int(O.delete().where(O.ref.in_(refs[i:i + 200])).execute())
        return gone

    def outbox_size(self) -> int:
        return int(self._outbox.select().count())

    # -- settings kept across reboots -------------------------------------------
    def put_setting(self, key: str, value: str) -> None:
        S = self._settings
        S.insert(key=key, value=value).on_conflict_replace().execute()

    def get_setting(self, key: str) -> str | None:
        S = self._settings
        row = S.get_or_none(S.key == key)
        return None if row is None else str(row.value)

    # -- play history ---------------------------------------------------------------
    def remember_played(self, announcement: Announcement, limit: int = HISTORY_LIMIT) -> None:
        """Add to the history and drop what falls past the newest ``limit``."""
        H = self._history
        with self._db.atomic():
            H.insert(announcement_id=announcement.id, text=announcement.text, lang=announcement.lang,
                     played_at=format_time(self.now())).execute()
            keep = H.select(H.seq).order_by(H.seq.desc()).limit(limit)
            H.delete().where(H.seq.not_in(keep)).execute()

    def recent_played(self, count: int) -> list[Played]:
        """The last ``count`` played, oldest first (the order they were heard)."""
        H = self._history
        rows = list(H.select().order_by(H.seq.desc()).limit(count))
        return [Played(row.announcement_id, row.text, row.lang) for row in reversed(rows)]
