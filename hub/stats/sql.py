"""The statements of the incremental fill's hot path, sent straight to the database driver.

A round of the stats worker is a dozen small statements for a handful of messages, so what
each statement costs before the database sees it was most of a round (docs/statistics.md,
"Figures"). Two costs are avoided here, with the SQL and its parameters unchanged:

- **One text per statement.** A list of message ids is one parameter (SQLite: a JSON array
  read by ``json_each``; PostgreSQL: an array, ``= ANY``), not as many placeholders as ids: the
  text of a statement no longer changes with the size of the batch, so the driver's cache of
  prepared statements (SQLite) and psycopg's prepared statements (PostgreSQL) serve every
  round, where each used to parse and plan its queries afresh.
- **Django's cursor wrapper.** On SQLite it rewrites ``%s`` to ``?`` with a regular expression
  on every execution and passes through several wrappers; here the rewrite is done once per
  text (cached) and the driver's cursor is called directly. Errors still come out as Django's
  (``wrap_database_errors``); what is skipped is query logging and ``execute_wrapper`` hooks.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX


def among(column: str, db: Any = None) -> str:
    """A condition: ``column`` is one of the ids given as the single parameter :func:`ids`.
    ``db``: the connection (a cursor's ``db``), where one is at hand: every attribute read
    through ``django.db.connection``, a proxy, costs a thread-local lookup (1.5 µs)."""
    if (db or connection).vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))"
    return f"{column} = ANY(%s)"


def ids(values: Collection[int], db: Any = None) -> object:
    """Message ids as the one parameter :func:`among` takes."""
    ordered = sorted(int(v) for v in values)
    return json.dumps(ordered) if (db or connection).vendor == "sqlite" else ordered


def moment(value: datetime | None, db: Any = None) -> object:
    """An aware instant as a query parameter: what Django's ``adapt_datetimefield_value`` gives
    (SQLite: the naive text in the connection's zone, UTC; PostgreSQL: the value), at a third of
    its cost (it was a tenth of a round's Python)."""
    db = db or connection
    if value is None or db.vendor != "sqlite":
        return value
    text = value.astimezone(db.timezone).isoformat(" ")  # the offset cut off: .replace(tzinfo=None) costs more
    return text[:26] if value.microsecond else text[:19]


@functools.lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def execute(cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
    """Run one statement through ``cursor`` (a Django cursor) at the driver."""
    db = cursor.db  # not django.db.connection: each attribute read through that proxy costs a thread-local lookup
    with db.wrap_database_errors:
        if db.vendor == "sqlite":
            sqlite3.Cursor.execute(cursor.cursor, _qmark(sql), params)
        else:
            cursor.cursor.execute(sql, params)


def executemany(cursor: Any, sql: str, params: Sequence[Sequence[Any]]) -> None:
    """Run one statement for each parameter row, at the driver."""
    db = cursor.db
    with db.wrap_database_errors:
        if db.vendor == "sqlite":
            sqlite3.Cursor.executemany(cursor.cursor, _qmark(sql), params)
        else:
            cursor.cursor.executemany(sql, params)


def rows(sql: str, params: Sequence[Any] = (), cursor: Any = None) -> list[tuple[Any, ...]]:
    """The rows of one query, through ``cursor`` if given (a round reuses one: opening a cursor
    through Django costs about what a small query does)."""
    if cursor is None:
        with connection.cursor() as own:
            return rows(sql, params, own)
    execute(cursor, sql, params)
    found: list[tuple[Any, ...]] = cursor.cursor.fetchall()
    return found
