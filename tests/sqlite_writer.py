"""A process writing a SQLite database through the hub's engine (hub.sqlite_fair), told what to do on stdin.

``python tests/sqlite_writer.py DATABASE TIMEOUT [--create]`` (``PYTHONPATH`` the
repository). Each line on stdin is a command; each event is a line on stdout,
``<event> <time.monotonic()> [detail]`` (the monotonic clock is the machine's,
so two such processes' times compare):

- ``hold TAG``: begin a write transaction, insert ``TAG``, ``holding``; keep it open;
- ``commit``: ``committing``, commit the held transaction, ``committed``;
- ``write TAG``: ``asking``, then ``began`` once the transaction has begun,
  ``wrote`` once committed, or ``failed`` with the error.

``--create`` creates the table first (an in-memory database has no other writer to do it).
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack

import django
from django.conf import settings


def say(event: str, detail: str = "") -> None:
    print(f"{event} {time.monotonic():.6f} {detail}".rstrip(), flush=True)


def main(name: str, timeout: float, create: bool) -> None:
    settings.configure(DATABASES={"default": {
        "ENGINE": "hub.sqlite_fair",
        "NAME": name,
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout, "init_command": "PRAGMA journal_mode=WAL;"},
    }})
    django.setup()
    from django.db import OperationalError, connection, transaction

    if create:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS writes (id INTEGER PRIMARY KEY, tag TEXT)")
    held = ExitStack()
    say("ready")
    for line in sys.stdin:
        command, _, tag = line.strip().partition(" ")
        if command == "hold":
            held.enter_context(transaction.atomic())
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO writes (tag) VALUES (%s)", [tag])
            say("holding")
        elif command == "commit":
            say("committing")
            held.close()
            say("committed")
        elif command == "write":
            say("asking")
            try:
                with transaction.atomic():
                    say("began")
                    with connection.cursor() as cursor:
                        cursor.execute("INSERT INTO writes (tag) VALUES (%s)", [tag])
            except OperationalError as exc:
                say("failed", str(exc))
            else:
                say("wrote")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), "--create" in sys.argv[3:])
