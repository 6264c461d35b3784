"""Database triggers that note, in the very transaction that changes a message's outcome,
that it changed: a :class:`~hub.stats.models.Changed` row (``stats_changed``), one per message
until a round of the incremental fill takes it.

Why triggers and not calls in the code that writes receipts, acknowledgements and
deliveries: the database then guarantees that no writer (intake, publisher, receipts,
acknowledgements, escalation, purge, an admin's edit, a bulk insert, another process)
can change an outcome without the note, and the stats code stays in one place.

What is noted: a message stored or re-classified (category, priority, app, source,
time); a delivery written, or its status moved to or from ``expired``/``no_speaker``;
a receipt stored or re-matched; an expectation lapsed (or no longer); an
acknowledgement; a follow-up round. Nothing else can change a count, apart from
edits of the targets, escalation policies or staff erasures, which need
``shopcrier-hub stats fill --since DAY`` (docs/statistics.md).

:func:`install` is idempotent; it runs after every ``migrate`` (post_migrate: on
SQLite, a migration that rebuilds a table drops its triggers) and when the stats
worker starts. :func:`missing` says which are absent.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

CHANGED = "stats_changed"
PLAYED_OR_NOT = ("expired", "no_speaker")

# name → (table, event, condition on OLD/NEW in the SQLite dialect, expression of the message id)
_STATUS = "NEW.status <> OLD.status AND (NEW.status IN ('expired', 'no_speaker') OR OLD.status IN ('expired', 'no_speaker'))"
_LAPSE = "(NEW.status = 'lapsed') <> (OLD.status = 'lapsed')"
TRIGGERS: dict[str, tuple[str, str, str, str]] = {
    "stats_message_stored": ("intake_message", "INSERT", "1", "NEW.id"),
    "stats_message_moved": (
        "intake_message", "UPDATE OF category_id, priority, app, source_id, received_at",
        "NEW.category_id IS NOT OLD.category_id OR NEW.priority <> OLD.priority OR NEW.app <> OLD.app"
        " OR NEW.source_id <> OLD.source_id OR NEW.received_at <> OLD.received_at",
        "NEW.id",
    ),
    "stats_delivery_written": ("outbox_delivery", "INSERT", "NEW.message_id IS NOT NULL", "NEW.message_id"),
    "stats_delivery_status": ("outbox_delivery", "UPDATE OF status", f"NEW.message_id IS NOT NULL AND {_STATUS}", "NEW.message_id"),
    "stats_receipt_stored": ("outbox_receipt", "INSERT", "NEW.message_id IS NOT NULL", "NEW.message_id"),
    "stats_receipt_matched": ("outbox_receipt", "UPDATE OF message_id, status, at", "NEW.message_id IS NOT NULL", "NEW.message_id"),
    "stats_expectation_lapsed": ("outbox_expectation", "UPDATE OF status", _LAPSE, "delivery"),
    "stats_expectation_written": ("outbox_expectation", "INSERT", "NEW.status = 'lapsed'", "delivery"),
    "stats_ack_stored": ("attention_acknowledgement", "INSERT", "1", "NEW.message_id"),
    "stats_ack_moved": ("attention_acknowledgement", "UPDATE OF at, message_id", "1", "NEW.message_id"),
    "stats_followup_written": ("attention_followup", "INSERT", "1", "NEW.message_id"),
    "stats_followup_round": ("attention_followup", "UPDATE OF rounds", "NEW.rounds <> OLD.rounds", "NEW.message_id"),
}


# A message already noted is not noted again (the notes are unique per message since
# migration 0004). Safe because the round that deletes notes holds off every writer of notes
# from before it reads the raw tables until it commits (SQLite: IMMEDIATE transactions; PostgreSQL:
# a table lock, hub.stats.incremental), so a change whose note was "already there" is either
# committed before that round reads, or finds the note gone and writes one.
ONCE = " ON CONFLICT (message_id) DO NOTHING"


def _insert(expression: str, once: bool = True) -> str:
    tail = ONCE if once else ""
    if expression == "delivery":  # an expectation knows its delivery, the delivery its message
        return (f"INSERT INTO {CHANGED} (message_id) SELECT message_id FROM outbox_delivery"
                f" WHERE id = NEW.delivery_id AND message_id IS NOT NULL{tail};")
    return f"INSERT INTO {CHANGED} (message_id) VALUES ({expression}){tail};"


def _sqlite(name: str, table: str, event: str, condition: str, expression: str, once: bool = True) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW WHEN {condition} BEGIN {_insert(expression, once)} END",
    ]


def _postgresql(name: str, table: str, event: str, condition: str, expression: str, once: bool = True) -> list[str]:
    condition = condition.replace(" IS NOT OLD.", " IS DISTINCT FROM OLD.").replace("(NEW.status = 'lapsed') <> (OLD.status = 'lapsed')",
                                                                                   "(NEW.status = 'lapsed') IS DISTINCT FROM (OLD.status = 'lapsed')")
    when = "" if condition == "1" else f" WHEN ({condition})"
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_insert(expression, once)} RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()",
    ]


def statements(vendor: str, once: bool = True) -> list[str]:
    """The SQL that (re)creates every trigger; ``once``: the notes are unique per message."""
    make = {"sqlite": _sqlite, "postgresql": _postgresql}.get(vendor)
    if make is None:
        raise NotImplementedError(f"statistics need triggers, written for SQLite and PostgreSQL, not {vendor}")
    return [sql for name, spec in TRIGGERS.items() for sql in make(name, *spec, once=once)]


def unique_notes(using: str = "default") -> bool:
    """Whether ``message_id`` is unique in the notes (migration 0004 applied): an ``ON CONFLICT``
    naming it would fail every write it fires on otherwise."""
    connection = connections[using]
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, CHANGED)
    return any(c["unique"] and c["columns"] == ["message_id"] for c in found.values())


def install(using: str = "default") -> None:
    """Create (or re-create) every trigger; safe to run at any time."""
    connection = connections[using]
    once = unique_notes(using)
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, once):
            cursor.execute(sql)


def missing(using: str = "default") -> list[str]:
    """The triggers that are not in the database (none, normally)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in TRIGGERS if name not in present]


def uninstall(using: str = "default") -> None:
    """Drop every trigger (their table is gone: every write they fire on would fail)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for name, (table, *_rest) in TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if connection.vendor == "postgresql" else ""))


def on_migrate(using: str = "default", **_: Any) -> None:
    """post_migrate: the tables may have been rebuilt; put the triggers back while the stats
    table exists, and take them away when a migration backwards removed it."""
    tables = connections[using].introspection.table_names()
    if CHANGED in tables:
        install(using)
    elif "intake_message" in tables:
        uninstall(using)
