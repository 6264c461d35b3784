"""Benchmark: webhooks under concurrency, SQLite and PostgreSQL, through ``shopcrier-hub serve``.

For 1, 8 and 32 clients sending at once (each on its own keep-alive
connection), webhook throughput and p50/p99 beside ``GET /healthz`` (one
query) measured the same way in the same run; with one web process and with
``--workers 2`` (two daphne processes on the port). Every request must succeed;
the figures are printed, never asserted (targets at 32 clients: p99 ≤ 250 ms
on PostgreSQL, ≤ 1 s on SQLite; docs/performance.md).

Each row is measured with two load generators, side by side: the light one
(:mod:`tests.webhook_load_async`, one asyncio thread, requests signed before
the clock starts), which is the measurement of the server, and the first one
(:func:`tests.webhook_load.load`, a ``requests`` thread per client) as the
baseline the earlier figures were taken with. Beside each, the CPU the client,
the web processes and PostgreSQL's backends used (:mod:`tests.webhook_load_cpu`):
on a 2-core machine what the client takes, the server cannot have.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ack_helpers import database_url, pg_database  # noqa: F401  (the fixtures)
from tests.webhook_load import Run, fresh_messages, healthz_sender, load, prepare, serve, webhook_sender
from tests.webhook_load_async import aload, answered, healthz_requests, stored_one, webhook_requests
from tests.webhook_load_cpu import CpuMeter

pytestmark = pytest.mark.bench

PER_CLIENTS = {1: 200, 8: 400, 32: 640}


def measured(meter: CpuMeter, go: Callable[[], Run], name: str) -> Run:
    meter.start()
    run = go()
    print(run.line(name))
    print(meter.stop(run.wall).line(len(run.latencies)))
    assert run.errors == [], run.errors[:3]
    return run


@pytest.mark.parametrize("workers", [1, 2])
def test_bench_webhooks_at_1_8_and_32_concurrent_clients(tmp_path: Path, database_url: str, workers: int) -> None:  # noqa: F811
    postgres = database_url.startswith("postgres")
    kind = "PostgreSQL" if postgres else "SQLite (WAL)"
    env = prepare(tmp_path, database_url)
    web, base = serve(env, tmp_path, workers=workers)
    meter = CpuMeter(web.process.pid, urlsplit(database_url).path.lstrip("/") if postgres else None)
    try:
        messages = fresh_messages(2 * sum(PER_CLIENTS.values()) + 50, seed=23)
        load(webhook_sender(base, messages[-50:]), 4, 50)  # warm-up: imports, pool, caches
        load(healthz_sender(base), 4, 50)
        print(f"\nwebhooks under concurrency, shopcrier-hub serve --workers {workers} (daphne) + {kind}:")
        offset = 0
        for clients, total in PER_CLIENTS.items():
            light, heavy = messages[offset:offset + total], messages[offset + total:offset + 2 * total]
            offset += 2 * total
            prepared = webhook_requests(base, light)
            measured(meter, lambda: aload(base, healthz_requests(base, total), answered, clients),
                     f"{clients:>2} clients GET /healthz, asyncio")
            measured(meter, lambda: aload(base, prepared, stored_one, clients),
                     f"{clients:>2} clients webhook, asyncio")
            measured(meter, lambda: load(healthz_sender(base), clients, total),
                     f"{clients:>2} clients GET /healthz, threads")
            measured(meter, lambda: load(webhook_sender(base, heavy), clients, total),
                     f"{clients:>2} clients webhook, threads")
    finally:
        assert web.terminate() == 0, web.log()[-3000:]
