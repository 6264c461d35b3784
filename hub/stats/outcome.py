"""What became of messages, read from the raw tables in a handful of queries (not one per
message): every message of one shop-day (:func:`fates`, the fill from scratch), or a set of
messages (:func:`fates_of`, the incremental fill). Both run the same code.

The queries are written in SQL, not built by the ORM: the incremental fill runs them every
few minutes for a few messages, and building them through the ORM cost several times what
the database took to answer (docs/statistics.md, "Figures").
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings

import mqtt

from . import sql
from .days import bounds, shop_zone


@dataclass
class Fate:
    """One message: its dimensions and what happened to it (seconds are waits from receipt).

    ``key``: source, app, category, priority, department, staff. ``due_at``: when an
    unacknowledged message that has not yet missed its target will miss it."""

    key: tuple[str, str, str, str, str, str]
    hour: int = 0
    played_after: float | None = None
    acked_after: float | None = None
    escalated: bool = False
    expired: bool = False
    no_speaker: bool = False
    breached: bool = False
    pk: int = 0
    day: date | None = None
    due_at: datetime | None = None


# A message, its first played receipt, its acknowledgement, its chase and its target, in one row.
# Expired: an expired receipt, or a speaker's expectation that lapsed (an expired delivery
# comes with the deliveries). ``{facts}``: more columns, from ``x`` (the incremental fill reads
# each message's fact as last counted in the same query: one statement less a round).
MESSAGES = """
SELECT m.id, s.name, m.app, c.slug, m.priority, m.received_at, p.repeat, a.at, f.rounds, t.ack_seconds,
  (SELECT MIN(r.at) FROM outbox_receipt r WHERE r.message_id = m.id AND r.status = 'played'),
  EXISTS (SELECT 1 FROM outbox_receipt r WHERE r.message_id = m.id AND r.status = 'expired')
  OR EXISTS (SELECT 1 FROM outbox_expectation e JOIN outbox_delivery d ON d.id = e.delivery_id
             WHERE d.message_id = m.id AND e.status = 'lapsed'){facts}
FROM intake_message m
JOIN intake_source s ON s.id = m.source_id
LEFT JOIN rules_category c ON c.id = m.category_id
LEFT JOIN attention_escalationpolicy p ON p.category_id = m.category_id
LEFT JOIN attention_acknowledgement a ON a.message_id = m.id
LEFT JOIN attention_followup f ON f.message_id = m.id
LEFT JOIN stats_categorytarget t ON t.category_id = m.category_id{join}
WHERE {messages}"""
FACTS = "stats_messagefact"
# A fact's columns after the message id (hub.stats.incremental writes them in this order).
FACT_FIELDS = ("day", "hour", "source", "app", "category", "priority", "department", "staff",
               "played_after", "acked_after", "escalated", "expired", "no_speaker", "breached", "due_at")
DELIVERIES = """SELECT message_id, topic, announcement_id, status FROM outbox_delivery
WHERE {messages} AND (announcement_id <> '' OR status IN ('expired', 'no_speaker')) ORDER BY id"""
ERASED = "SELECT number, token FROM stats_erasure"
DAY = "m.received_at >= %s AND m.received_at < %s"
DAY_IDS = "SELECT m.id FROM intake_message m WHERE " + DAY


def fates(day: date, now: datetime) -> list[Fate]:
    """Every message received on the shop's ``day``; ``now`` decides whether an
    unacknowledged message has already missed its target."""
    start, end = bounds(day)
    span = [sql.moment(start), sql.moment(end)]
    return _fates(MESSAGES.format(messages=DAY, facts="", join=""), span, f"message_id IN ({DAY_IDS})", span, now)[0]


def fates_of(pks: Collection[int], now: datetime, cursor: Any = None) -> tuple[list[Fate], dict[int, Fate]]:
    """The messages ``pks`` that still exist (a purged one has none), and the facts they were last
    counted with (a message counted never before has none)."""
    if not pks:
        return [], {}
    db = cursor.db if cursor is not None else None
    given = [sql.ids(pks, db)]
    return _fates(_messages_with_facts(sql.among("m.id", db)), given, sql.among("message_id", db), given, now, cursor)


@functools.cache
def _messages_with_facts(messages: str) -> str:
    return MESSAGES.format(messages=messages, facts="".join(f", x.{c}" for c in FACT_FIELDS),
                           join=f"\nLEFT JOIN {FACTS} x ON x.message_id = m.id")


def instant(value: object) -> datetime:
    """An instant as the database gives it back (SQLite: text in UTC) → aware datetime."""
    if isinstance(value, str):
        try:  # read with the offset it goes without: a fifth of the cost of .replace(tzinfo=UTC)
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # it had one after all
            value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


rows = sql.rows


def _fates(messages: str, params: Sequence[object], which: str, which_params: Sequence[object], now: datetime,
           cursor: Any = None) -> tuple[list[Fate], dict[int, Fate]]:
    """The fates of the messages ``messages`` selects, and the facts it read beside them (columns
    :data:`FACT_FIELDS` after the fate's); ``which``: the same messages as a condition on
    ``message_id`` (for their deliveries)."""
    found_rows = rows(messages, params, cursor)
    if not found_rows:
        return [], {}
    audience, expired, unheard = _deliveries(rows(DELIVERIES.format(messages=which), which_params, cursor), cursor)
    default = settings.STATS_DEFAULT_ACK_SECONDS
    zone = shop_zone()
    found = []
    facts = {}
    for pk, source, app, category, priority, received_at, repeat, acked_at, rounds, target, played_at, lapsed, *fact in found_rows:
        assert isinstance(pk, int)
        if fact and fact[0] is not None:
            facts[pk] = stored_fate(pk, fact)
        received = instant(received_at)
        department, staff = audience.get(pk, ("", ""))
        local = received.astimezone(zone)
        fate = Fate(key=(str(source), str(app), str(category or ""), str(priority), department, staff), hour=local.hour,
                    pk=pk, day=local.date())
        if played_at is not None:
            fate.played_after = max(0.0, (instant(played_at) - received).total_seconds())
        if acked_at is not None:
            fate.acked_after = max(0.0, (instant(acked_at) - received).total_seconds())
        fate.escalated = repeat is not None and int(rounds or 0) > int(repeat)
        fate.expired = played_at is None and (bool(lapsed) or pk in expired)
        fate.no_speaker = played_at is None and pk in unheard
        seconds = int(target) if target is not None else default
        waited = fate.acked_after if fate.acked_after is not None else (now - received).total_seconds()
        fate.breached = waited > seconds
        if fate.acked_after is None and not fate.breached:
            fate.due_at = received + timedelta(seconds=seconds)
        found.append(fate)
    return found, facts


def stored_fate(pk: int, fact: Sequence[Any]) -> Fate:
    """A message's fact as stored (:data:`FACT_FIELDS`), as a :class:`Fate`."""
    day, hour, source, app, category, priority, department, staff, played, acked, escalated, expired, unheard, \
        breached, due_at = fact
    return Fate(
        key=(str(source), str(app), str(category), str(priority), str(department), str(staff)), hour=int(hour),
        played_after=_float(played), acked_after=_float(acked), escalated=bool(escalated), expired=bool(expired),
        no_speaker=bool(unheard), breached=bool(breached), pk=pk, day=a_day(day),
        due_at=instant(due_at) if due_at is not None else None,
    )


def a_day(value: object) -> date:
    """A day as the database gives it back (SQLite: ISO text)."""
    if isinstance(value, str):
        return date.fromisoformat(value)
    assert isinstance(value, date)
    return value


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _deliveries(found_rows: list[tuple[object, ...]], cursor: Any = None) -> tuple[dict[int, tuple[str, str]], set[int], set[int]]:
    """Per message, the department and staff number of its first announcement (as routed,
    before any escalation: a message counts once, for whom it was first meant); and the
    messages with an expired delivery, and with one no speaker followed."""
    base = settings.MQTT_BASE_TOPIC
    found: dict[int, tuple[str, str]] = {}
    expired: set[int] = set()
    unheard: set[int] = set()
    erased: dict[str, str] | None = None  # read only if some announcement went to a person
    first: dict[int, object] = {}
    for message_id, topic, announcement_id, status in found_rows:
        assert isinstance(message_id, int)
        if status == "expired":
            expired.add(message_id)
        elif status == "no_speaker":
            unheard.add(message_id)
        if not announcement_id or first.setdefault(message_id, announcement_id) != announcement_id:
            continue  # an event for other tools, or a later announcement (a reminder, an escalation)
        route = _audience(str(topic), base)
        if route is None:
            found.setdefault(message_id, ("", ""))
            continue
        department, staff = found.get(message_id, ("", ""))
        person = ""
        if route[1]:
            if erased is None:
                erased = {str(n): str(t) for n, t in rows(ERASED, (), cursor)}
            person = erased.get(route[1], route[1])
        found[message_id] = (department or route[0], staff or person)
    return found, expired, unheard


@functools.lru_cache(maxsize=4096)
def _audience(topic: str, base: str) -> tuple[str, str] | None:
    """The department and staff number an announcement topic names; None for ``announce/all``
    or a topic that is no announcement's. Cached: a shop has a few dozen topics, and parsing
    one (with its validation) cost more than the rest of a message's fact."""
    route = mqtt.Announcement.parse_topic(topic, base)
    if route is None or route.is_all:
        return None
    return route.department or "", route.staff or ""
