"""Which hub process publishes the outbox.

On PostgreSQL several ``run`` processes may share one database; exactly one
of them, the holder of a session-level advisory lock, sends the outbox and
redelivers (so nothing is published twice and the digest and quiet-hours
counts see one sender), the others record receipts and stand by, woken by
the same ``NOTIFY``. The lock lives with the publisher thread's persistent
connection: if that process dies, the lock goes with it and a standby takes
over on its next turn. On SQLite (one machine, one hub) the publisher always
leads.
"""

from __future__ import annotations

from hub.intake.locks import holds

# The first key of the two-key advisory lock: "SC" + "OB", ShopCrier outbox.
LOCK_SPACE = 0x5343_4F42
LOCK_KEY = 1


def leads() -> bool:
    """True when this process's publisher may send the outbox (taking the lock if it is free)."""
    return holds(LOCK_SPACE, LOCK_KEY)
