"""Exactly once into the database.

A page's new messages, their deliveries, its rejects and the advanced cursor
are committed in one transaction. A crash anywhere before the commit leaves
the cursor where it was, so the page is fetched again, and the unique
``(source, dedup_key)`` drops what was already stored.

Before the transaction, each item's row is checked against what the database
can hold (:mod:`hub.storable`): an item that fails is quarantined with the
reason, so one poison item never fails its page, its batch or its source.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from hub import storable
from hub.notify.fanout import notify_for
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline
from hub.rules.classify import detect_language

from .adapters import Item, Page, Reject
from .adapters.decode import snippet
from .models import Message, Quarantine, Source

log = logging.getLogger(__name__)

# Messages without a platform id that repeat within this window are one message.
DEDUP_WINDOW = timedelta(minutes=10)
# Rows per INSERT on PostgreSQL: well under its 65,535 parameters a statement.
INSERT_BATCH = 500


def dedup_key(item: Item, received_at: datetime) -> str:
    """The platform's id (with its event type) when there is one; else a hash of
    normalised content + user within a window."""
    if item.external_id:
        # An order's later events (refunded, cancelled) carry the order's own id
        # and are news of their own; the same event again is the same message.
        return f"id:{item.external_id}:{item.platform_type}" if item.platform_type else f"id:{item.external_id}"
    when = item.created_at or received_at
    bucket = int(when.timestamp() // DEDUP_WINDOW.total_seconds())
    normal = " ".join(unicodedata.normalize("NFKC", item.content).casefold().split())
    digest = hashlib.sha256(f"{item.user_id}\x00{normal}\x00{bucket}".encode()).hexdigest()
    return f"h:{digest}"


@dataclass(frozen=True)
class Stored:
    new: int
    duplicates: int
    rejected: int
    first_reject: str = ""


def store_page(source: Source, page: Page, pipeline: Pipeline) -> Stored:
    """Store ``page`` for ``source`` and advance its cursor, all or nothing.

    Known keys are looked up in one query (not for a single item on
    PostgreSQL: the insert tells) and the rest inserted in one batch; the
    unique constraint still decides, so a message another writer (a webhook,
    the poller) stored meanwhile is dropped as a duplicate (:func:`insert_new`).
    """
    now = timezone.now()
    fresh: dict[str, Message] = {}
    rejects = list(page.rejects)
    bad_items = 0
    for item in page.items:
        message = _message(source, item, now)
        if isinstance(message, Reject):
            rejects.append(message)
            bad_items += 1
        else:
            fresh.setdefault(message.dedup_key, message)  # a repeat within the page counts as a duplicate
    moved = _moved(source, page, rejects)
    with transaction.atomic():
        # One item (a webhook): no look-up first, the insert itself tells a repeat apart on PostgreSQL.
        known = known_keys(source, list(fresh)) if len(fresh) > 1 or not _inserts_once() else set()
        new = [m for key, m in fresh.items() if key not in known]
        for message in new:
            pipeline.recognise(message)
        new = insert_new(new)
        deliveries = [d for m in new for d in pipeline.deliveries(m)]
        Delivery.objects.bulk_create(deliveries)
        notify_for(deliveries, pipeline.base)
        quarantine(source, rejects, now)
        if moved:
            Source.objects.filter(pk=source.pk).update(**moved)
    for name, value in moved.items():
        setattr(source, name, value)
    if rejects:
        log.warning("source %s: %d item(s) quarantined, first: %s", source.name, len(rejects), rejects[0].reason)
    taken = len(page.items) - bad_items
    return Stored(
        new=len(new),
        duplicates=taken - len(new),
        rejected=len(rejects),
        first_reject=rejects[0].reason if rejects else "",
    )


def _moved(source: Source, page: Page, rejects: list[Reject]) -> dict[str, str]:
    """The cursor and ETag to store after ``page``; one the column cannot hold is left where it was, noted as a reject."""
    moved: dict[str, str] = {}
    for name, value in (("cursor", page.cursor), ("etag", page.etag)):
        if value is None or value == getattr(source, name):
            continue
        field = Source._meta.get_field(name)
        assert isinstance(field, models.Field)
        try:
            storable.check_field(field, value)
        except storable.Unstorable as exc:
            rejects.append(Reject(reason=f"the reply's {name} cannot be kept: {exc}", raw=storable.shown(value)))
            continue
        moved[name] = value
    return moved


def quarantine(source: Source, rejects: list[Reject], now: datetime) -> None:
    """Keep what could not be taken, with why; the same thing fetched again is kept once."""
    rows = []
    for r in rejects:
        # The reason and raw text may quote the very characters that made the item bad.
        reason, raw = storable.safe_text(r.reason), storable.safe_text(r.raw)
        digest = hashlib.sha256(f"{reason}\x00{raw}".encode()).hexdigest()
        rows.append(Quarantine(source=source, reason=reason, raw=raw, fingerprint=digest, created_at=now))
    Quarantine.objects.bulk_create(rows, ignore_conflicts=True)


def known_keys(source: Source, keys: list[str]) -> set[str]:
    """The keys among ``keys`` already stored for ``source``."""
    return set(Message.objects.filter(source=source, dedup_key__in=keys).values_list("dedup_key", flat=True))


def _message(source: Source, item: Item, now: datetime) -> Message | Reject:
    """The message to store for ``item``, or a reject naming the field its table cannot hold."""
    message = Message(
        source=source,
        external_id=item.external_id,
        user_id=item.user_id,
        user_name=item.user_name,
        content=item.content,
        platform_type=item.platform_type,
        app=item.app,
        amount=item.amount,
        currency=item.currency,
        platform_created_at=item.created_at,
        received_at=now,
        raw=item.raw,
    )
    why = storable.problem(message, skip=["dedup_key", "lang"])
    if not why:
        message.lang = item.lang or detect_language(item.content)
        message.dedup_key = dedup_key(item, now)
        why = storable.problem(message)
        if why.startswith("dedup_key "):
            why = f"id ({item.external_id[:40]}…) with its type {item.platform_type!r} is too long to keep: {why}"
    return Reject(reason=why, raw=snippet(item.raw)) if why else message


def _inserts_once() -> bool:
    return connection.vendor == "postgresql"


def insert_new(messages: list[Message]) -> list[Message]:
    """Insert ``messages``; those whose ``(source, dedup_key)`` another writer stored meanwhile
    are left out of the list returned (and keep no primary key).

    PostgreSQL: one ``INSERT … ON CONFLICT (source_id, dedup_key) DO NOTHING RETURNING``: it
    waits for a concurrent writer of the same key to commit or roll back, then inserts or skips
    the row, and only the rows it inserted come back. Elsewhere (SQLite): the batch in a
    savepoint, and after a lost race row by row, each in its own.
    """
    if not messages:
        return []
    if _inserts_once():
        return [m for i in range(0, len(messages), INSERT_BATCH) for m in _insert_or_skip(messages[i:i + INSERT_BATCH])]
    try:
        with transaction.atomic():  # a savepoint: a lost race rolls back alone
            Message.objects.bulk_create(messages)
    except IntegrityError:
        return [m for m in messages if _insert_one(m)]
    return messages


def _insert_or_skip(messages: list[Message]) -> list[Message]:
    meta = Message._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    source_id, dedup, pk = (quote(_column(name)) for name in ("source", "dedup_key", "id"))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(_column(f.name)) for f in fields)}) "
        f"VALUES {', '.join([row] * len(messages))} "
        f"ON CONFLICT ({source_id}, {dedup}) DO NOTHING RETURNING {pk}, {dedup}"
    )
    params = [f.get_db_prep_save(f.pre_save(m, True), connection) for m in messages for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = dict((dedup, pk) for pk, dedup in cursor.fetchall())
    kept = []
    for message in messages:
        if message.dedup_key in inserted:
            message.pk = inserted[message.dedup_key]
            message._state.adding = False
            message._state.db = connection.alias
            kept.append(message)
    return kept


def _column(name: str) -> str:
    field = Message._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return str(field.column)


def _insert_one(message: Message) -> bool:
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return False
    return True
