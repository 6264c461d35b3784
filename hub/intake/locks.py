"""Which sources this process polls.

On PostgreSQL, several hub processes may run; each source is polled by the
one holding its session-level advisory lock. The lock lives with that
process's database connection: if the process dies, the lock goes with it and
another process takes the source over on its next round. On SQLite (one
machine, one hub) every source is this process's.
"""

from __future__ import annotations

from django.db import connection

# The first key of the two-key advisory lock: "SC" + "PL", ShopCrier poller.
LOCK_SPACE = 0x5343504C


def holds_source(source_id: int) -> bool:
    """True when this process may poll ``source_id`` (taking the lock if it is free)."""
    return holds(LOCK_SPACE, source_id)


def holds(space: int, key: int) -> bool:
    """True when this process holds the session advisory lock ``(space, key)``, taking it if
    it is free (never waiting); always True off PostgreSQL, where one process runs the hub."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        # CASE fixes the order: an already-held lock is not taken again (which
        # would stack another count on it), a free one is tried without waiting.
        cursor.execute(
            """
            SELECT CASE WHEN EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                  AND classid = %s AND objid = %s AND objsubid = 2 AND granted
            ) THEN true ELSE pg_try_advisory_lock(%s, %s) END
            """,
            [space, key, space, key],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
