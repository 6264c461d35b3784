"""One of the processes of tests/test_bench_sqlite_turn.py: threads writing one SQLite file as fast as they may.

``python tests/sqlite_turn_stress.py DATABASE ENGINE SECONDS THREADS START OUT`` (``PYTHONPATH``
the repository): from the wall-clock instant ``START`` (so the processes begin together),
``THREADS`` threads each loop for ``SECONDS``: a write transaction holding ~1 ms of Python,
then ~2 ms outside it (a request's other work). Writes to ``OUT`` (JSON) each transaction's
wait for its ``BEGIN``, in seconds.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import django
from django.conf import settings


def spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def main(database: str, engine: str, seconds: float, threads: int, start: float, out: str) -> None:
    settings.configure(DATABASES={"default": {"ENGINE": engine, "NAME": database, "OPTIONS": {
        "transaction_mode": "IMMEDIATE", "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }}})
    django.setup()
    from django.db import connection, transaction

    waits: list[float] = []
    done = threading.Lock()
    time.sleep(max(0.0, start - time.time()))
    end = time.monotonic() + seconds

    def writer() -> None:
        mine = []
        while time.monotonic() < end:
            asked = time.monotonic()
            with transaction.atomic():
                mine.append(time.monotonic() - asked)
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO writes (tag) VALUES ('x')")
                spin(40_000)  # ~1 ms of Python inside the transaction, holding the GIL as a view does
            time.sleep(0.002)
        with done:
            waits.extend(mine)
        connection.close()

    running = [threading.Thread(target=writer) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    with open(out, "w") as f:
        json.dump(waits, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
