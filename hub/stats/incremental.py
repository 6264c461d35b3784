"""The incremental fill: each round recomputes only the messages whose outcome changed since
the last one, and moves their rollup rows by the difference.

Database triggers (hub.stats.triggers) write a :class:`Changed` row in the transaction
that stores a message or changes what became of it. A round reads a batch of those rows
and the facts whose target has just passed (``due_at``: time alone turns an
unacknowledged message into an SLA breach); then, in one transaction, computes these
messages' facts afresh from the raw tables (hub.stats.outcome, the code the fill from
scratch uses), subtracts each old fact from its rows and adds the new one (one statement
per shape of change), saves the new facts, marks a closed month it touched as stale
(hub.stats.months) and deletes the rows it read. Killed midway, a batch is all done or
not at all; run again with nothing changed, it changes nothing.

A purged message takes its fact with it (cascade) and leaves its counts in the rows.
A message without a fact whose day is frozen (purged, counted before facts existed) is
left as the rows have it, as the fill from scratch leaves frozen days.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction

from . import months
from .buckets import bucket_of
from .days import day_of
from .models import ACK_BUCKETS, MEASURES, PLAYED_BUCKETS, DailyCount, HourlyCount, MessageFact
from . import sql
from .outcome import FACT_FIELDS, FACTS, Fate, a_day, fates_of, rows

CHANGED = "stats_changed"

BATCH = 2000
HOLD_OFF_NOTES = f"LOCK TABLE {CHANGED} IN SHARE ROW EXCLUSIVE MODE"  # PostgreSQL: see hold_off_notes
_AT = {name: i for i, name in enumerate(MEASURES)}
_SECONDS = frozenset({_AT["played_seconds"], _AT["ack_seconds"]})  # the float columns; the rest count
_MESSAGES = _AT["messages"]
DAILY_KEY = ("day", "department", "staff", "dimension", "value")
HOURLY_KEY = ("day", "hour", "category", "department", "staff")

_FACT_COLUMNS = ("message_id", *FACT_FIELDS)
_FACT_UPSERT = (f"INSERT INTO {FACTS} ({', '.join(_FACT_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_FACT_COLUMNS))}) "
                f"ON CONFLICT (message_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in FACT_FIELDS))

DailyKey = tuple[date, str, str, str, str]
# What moves a rollup row: column index in MEASURES → amount, the columns that do not move left
# out (a new message moves a handful of the 45).
Vector = dict[int, float]
HourlyKey = tuple[date, int, str, str, str]


def advance(now: datetime, state: str, *, batch: int = BATCH, stop: threading.Event | None = None,
            if_incremental: bool = False) -> int | None:
    """Apply every noted change, and every target passed by ``now``; returns the messages recomputed.
    ``if_incremental``: None instead, with nothing done, if no fill from scratch has given every
    message its fact yet (``FillState.facts_since``)."""
    done = 0
    # the notes, the passed targets and whether facts are kept, in one query: a round's fixed
    # cost is its statements
    pending = (f"SELECT 1, message_id FROM (SELECT message_id FROM {CHANGED} ORDER BY id LIMIT {int(batch)}) AS c "
               f"UNION ALL SELECT 0, message_id FROM (SELECT message_id FROM {FACTS} WHERE due_at IS NOT NULL AND due_at < %s "
               f"ORDER BY due_at LIMIT {int(batch)}) AS d "
               f"UNION ALL SELECT 2, count(facts_since) FROM stats_fillstate WHERE name = %s")
    with connection.cursor() as cursor:
        db = cursor.db
        lock = "SELECT frozen_before FROM stats_fillstate WHERE name = %s" + (" FOR UPDATE" if db.features.has_select_for_update else "")
        while not (stop is not None and stop.is_set()):
            # read before the transaction: an idle round never takes the write lock, and reading a
            # note another fill has meanwhile applied only recomputes a fact to what it already is
            found = rows(pending, [sql.moment(now, db), state], cursor)
            if if_incremental and not any(kind == 2 and kept for kind, kept in found):
                return None
            if_incremental = False
            found = [(kind, m) for kind, m in found if kind != 2]
            if not found:
                break
            notes = sum(1 for n, _ in found if n)
            noted = sorted({int(m) for n, m in found if n})
            pks = {int(m) for _, m in found}
            with transaction.atomic():
                hold_off_notes(cursor)
                held = rows(lock, [state], cursor)
                frozen = a_day(held[0][0]) if held and held[0][0] is not None else None
                forget(noted, cursor)  # before the raw tables are read: what they say covers the notes
                apply(pks, now, frozen, cursor)
            done += len(pks)
            if notes < batch and len(found) - notes < batch:
                break  # what is noted meanwhile waits for the next round
    return done


def hold_off_notes(cursor: Any) -> None:
    """Keep every writer of notes out until this transaction ends, from before it reads the raw
    tables: a trigger that finds its message already noted writes nothing (hub.stats.triggers), so
    its change must be visible to whoever deletes that note. SQLite's IMMEDIATE transactions
    already serialize writers; PostgreSQL takes a lock that conflicts with inserts, waiting for
    the writers in flight to commit (no row locks: no deadlock with a writer noting several
    messages)."""
    if cursor.db.vendor == "postgresql":
        sql.execute(cursor, HOLD_OFF_NOTES)


def forget(message_ids: list[int], cursor: Any = None) -> None:
    """Delete the notes of ``message_ids`` (after :func:`hold_off_notes`, before their facts are recomputed)."""
    if cursor is None:
        with connection.cursor() as own:
            return forget(message_ids, own)
    if message_ids:
        sql.execute(cursor, f"DELETE FROM {CHANGED} WHERE {sql.among('message_id', cursor.db)}", [sql.ids(message_ids, cursor.db)])
    return None


def apply(pks: Collection[int], now: datetime, frozen_before: date | None, cursor: Any = None) -> int:
    """Recompute the facts of ``pks`` and move the rollups by the difference; returns the facts rewritten."""
    if cursor is None:
        with connection.cursor() as own:
            return apply(pks, now, frozen_before, own)
    found, old = fates_of(pks, now, cursor)
    groups: dict[tuple[date, int, tuple[str, ...]], Vector] = {}
    counted = set()  # the groups an old fact was counted in: their rows exist
    written: list[Fate] = []
    for new in found:
        assert new.day is not None
        before = old.get(new.pk)
        if before is None and frozen_before is not None and new.day < frozen_before:
            continue  # a frozen day counted before facts existed: its rows are the truth
        if before is not None:
            if before == new:
                continue
            counted.add(gather(groups, before, -1))
        gather(groups, new, +1)
        written.append(new)
    daily, hourly, existing = spread(groups, counted)
    _upsert(daily, hourly, existing, cursor)
    months.touched({key[0] for key in daily}, today=day_of(now))  # a closed month's sums are stale now
    _write_facts(written, old, cursor)
    return len(written)


def _write_facts(written: list[Fate], old: dict[int, Fate], cursor: Any) -> None:
    """Save the new facts: a message's first is inserted; a fact that changed is updated in the
    columns that changed, and only those (an acknowledgement moves three of fifteen: rewriting
    the rest cost as much again, the day and target indexes included)."""
    db = cursor.db
    statements: dict[str, list[tuple[Any, ...]]] = {}
    for fate in written:
        row = _fact_values(fate)
        before = old.get(fate.pk)
        if before is None:
            statements.setdefault(_FACT_UPSERT, []).append(
                (row[0], db.ops.adapt_datefield_value(row[1]), *row[2:-1], sql.moment(row[-1], db)))
            continue
        moved = tuple(i for i, (a, b) in enumerate(zip(row, _fact_values(before))) if a != b)
        if moved:  # else equal once written (a float read back as the same value)
            statements.setdefault(_fact_update(moved), []).append((*(_adapt(db, i, row[i]) for i in moved), fate.pk))
    for statement, params in statements.items():
        sql.executemany(cursor, statement, params)


def _fact_values(fate: Fate) -> tuple[Any, ...]:
    """A fact's columns (:data:`_FACT_COLUMNS`) as Python values."""
    return (fate.pk, fate.day, fate.hour, *fate.key, fate.played_after, fate.acked_after, fate.escalated, fate.expired,
            fate.no_speaker, fate.breached, fate.due_at)


_DAY_AT, _DUE_AT = _FACT_COLUMNS.index("day"), _FACT_COLUMNS.index("due_at")


def _adapt(db: Any, i: int, value: Any) -> Any:
    if value is None:
        return None
    if i == _DAY_AT:
        return db.ops.adapt_datefield_value(value)
    if i == _DUE_AT:
        return sql.moment(value, db)
    return value


@functools.cache
def _fact_update(moved: tuple[int, ...]) -> str:
    """Set the ``moved`` columns (indexes into :data:`_FACT_COLUMNS`) of one message's fact."""
    return f"UPDATE {FACTS} SET " + ", ".join(f"{_FACT_COLUMNS[i]} = %s" for i in moved) + " WHERE message_id = %s"


def gather(groups: dict[tuple[date, int, tuple[str, ...]], Vector], fate: Fate, sign: int) -> tuple[date, int, tuple[str, ...]]:
    """Add ``sign`` × what ``fate`` counts for to its group (day, hour and dimensions): a late
    acknowledgement takes the old fact away and adds the new one in the same group, so only
    what changed is spread over the rows (:func:`spread`)."""
    assert fate.day is not None
    group = (fate.day, fate.hour, fate.key)
    into = groups.setdefault(group, {})
    for i, x in measures(fate):
        into[i] = into.get(i, 0) + sign * x
    return group


def spread(groups: dict[tuple[date, int, tuple[str, ...]], Vector], counted: Collection[tuple[date, int, tuple[str, ...]]] = ()
           ) -> tuple[dict[DailyKey, Vector], dict[HourlyKey, int], set[tuple[Any, ...]]]:
    """The groups' sums moved onto the daily rows (once per breakdown) and the hourly rows; and
    the rows of those that are known to exist (``counted``: groups an old fact was counted in)."""
    daily: dict[DailyKey, Vector] = {}
    hourly: dict[HourlyKey, int] = {}
    existing: set[tuple[Any, ...]] = set()
    for group, vector in groups.items():
        day, hour, (source, app, category, priority, department, staff) = group
        moved = [(i, x) for i, x in vector.items() if x]
        if not moved:
            continue
        known = group in counted
        for dimension, value in (("", ""), ("app", app), ("category", category), ("source", source), ("priority", priority)):
            key = (day, department, staff, dimension, value)
            into = daily.setdefault(key, {})
            for i, x in moved:
                into[i] = into.get(i, 0) + x
            if known:
                existing.add(key)
        count = int(vector.get(_MESSAGES, 0))
        if count:
            slot = (day, hour, category, department, staff)
            hourly[slot] = hourly.get(slot, 0) + count
            if known:
                existing.add(slot)
    return daily, hourly, existing


def measures(fate: Fate) -> list[tuple[int, float]]:
    """(column index in :data:`MEASURES`, amount) of what one message counts for."""
    played, acked = fate.played_after, fate.acked_after
    found = list(_counts(fate.escalated, fate.expired, fate.no_speaker, fate.breached,
                         None if played is None else bucket_of(played), None if acked is None else bucket_of(acked)))
    if played is not None:
        found.append((_PLAYED_SECONDS, played))
    if acked is not None:
        found.append((_ACK_SECONDS, acked))
    return found


_PLAYED_SECONDS, _ACK_SECONDS = _AT["played_seconds"], _AT["ack_seconds"]


@functools.cache
def _counts(escalated: bool, expired: bool, no_speaker: bool, breached: bool, played: int | None,
            acked: int | None) -> tuple[tuple[int, float], ...]:
    """The columns a message with these outcomes (and wait buckets) adds one to: a few dozen
    combinations, worked out once."""
    found: list[tuple[int, float]] = [(_AT["messages"], 1)]
    for name, yes in (("escalated", escalated), ("expired", expired), ("no_speaker", no_speaker), ("sla_breaches", breached)):
        if yes:
            found.append((_AT[name], 1))
    if played is not None:
        found += [(_AT["played"], 1), (_AT["played_n"], 1), (_AT[PLAYED_BUCKETS[played]], 1)]
    if acked is not None:
        found += [(_AT["acknowledged"], 1), (_AT["ack_n"], 1), (_AT[ACK_BUCKETS[acked]], 1)]
    return tuple(found)


def as_fact(fate: Fate) -> MessageFact:
    assert fate.day is not None
    source, app, category, priority, department, staff = fate.key
    return MessageFact(message_id=fate.pk, day=fate.day, hour=fate.hour, source=source, app=app, category=category,
                       priority=priority, department=department, staff=staff, played_after=fate.played_after,
                       acked_after=fate.acked_after, escalated=fate.escalated, expired=fate.expired,
                       no_speaker=fate.no_speaker, breached=fate.breached, due_at=fate.due_at)


def _upsert(daily: dict[DailyKey, Vector], hourly: dict[HourlyKey, int], existing: set[tuple[Any, ...]], cursor: Any) -> None:
    """Move the rows. A row an old fact is counted in (``existing``) exists: it is updated (a
    CHECK on a negative count would refuse the insert half of an upsert before the conflict is
    seen, and an update is half an upsert's cost); the others are inserted or added to."""
    tables: tuple[tuple[str, tuple[str, ...], tuple[str, ...], list[tuple[tuple[Any, ...], Vector]]], ...] = (
        (DailyCount._meta.db_table, DAILY_KEY, MEASURES, list(daily.items())),
        (HourlyCount._meta.db_table, HOURLY_KEY, ("messages",), [(key, {0: n}) for key, n in hourly.items()]),
    )
    # One statement per shape (which measures move): a new message moves a few of the 45 columns.
    statements: dict[str, list[tuple[Any, ...]]] = {}
    adapt = cursor.db.ops.adapt_datefield_value
    for table, key, measures, found_rows in tables:
        for k, v in found_rows:
            shape = tuple(sorted(i for i, x in v.items() if x))
            if not shape:
                continue
            moved = [v[i] if i in _SECONDS else int(v[i]) for i in shape]
            day = (adapt(k[0]), *k[1:])
            if k in existing or min(moved) < 0:
                statements.setdefault(_update(table, key, measures, shape), []).append((*moved, *day))
            else:
                statements.setdefault(_insert(table, key, measures, shape), []).append((*day, *moved))
    for statement, params in statements.items():
        sql.executemany(cursor, statement, params)
    # a message that moved (re-classified) leaves a row with nothing in it: the fill from scratch has none
    emptied = {key[0] for key, v in daily.items() if v.get(_MESSAGES, 0) < 0} | {key[0] for key, n in hourly.items() if n < 0}
    if emptied:
        DailyCount.objects.filter(day__in=emptied, messages=0).delete()
        HourlyCount.objects.filter(day__in=emptied, messages=0).delete()


@functools.cache
def _update(table: str, key: tuple[str, ...], measures: tuple[str, ...], shape: tuple[int, ...]) -> str:
    """Add to the ``shape`` columns of an existing row."""
    qn = connection.ops.quote_name
    return (f"UPDATE {qn(table)} SET " + ", ".join(f"{qn(measures[i])} = {qn(measures[i])} + %s" for i in shape)
            + " WHERE " + " AND ".join(f"{qn(k)} = %s" for k in key))


@functools.cache
def _insert(table: str, key: tuple[str, ...], measures: tuple[str, ...], shape: tuple[int, ...]) -> str:
    """Write a row holding the ``shape`` columns (0 elsewhere), or add them to the row there is."""
    qn = connection.ops.quote_name
    values = ["%s"] * len(key) + ["%s" if i in shape else "0" for i in range(len(measures))]
    return (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in (*key, *measures))}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT ({', '.join(qn(c) for c in key)}) DO UPDATE SET "
            + ", ".join(f"{qn(measures[i])} = {qn(table)}.{qn(measures[i])} + excluded.{qn(measures[i])}" for i in shape))
