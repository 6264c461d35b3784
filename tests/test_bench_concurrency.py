"""Benchmark: webhooks under concurrency, SQLite and PostgreSQL, through ``shopcrier-hub serve``.

For 1, 8 and 32 clients sending at once (each on its own keep-alive
connection), webhook throughput and p50/p99 beside ``GET /healthz`` (one
query) measured the same way in the same run; with one web process and with
``--workers 2`` (two daphne processes on the port). Every request must succeed;
the figures are printed, never asserted (targets at 32 clients: p99 ≤ 250 ms
on PostgreSQL, ≤ 1 s on SQLite; docs/performance.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ack_helpers import database_url, pg_database  # noqa: F401  (the fixtures)
from tests.webhook_load import fresh_messages, healthz_sender, load, prepare, serve, webhook_sender

pytestmark = pytest.mark.bench

PER_CLIENTS = {1: 200, 8: 400, 32: 640}


@pytest.mark.parametrize("workers", [1, 2])
def test_bench_webhooks_at_1_8_and_32_concurrent_clients(tmp_path: Path, database_url: str, workers: int) -> None:  # noqa: F811
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite (WAL)"
    env = prepare(tmp_path, database_url)
    web, base = serve(env, tmp_path, workers=workers)
    try:
        messages = fresh_messages(sum(PER_CLIENTS.values()) + 50, seed=23)
        load(webhook_sender(base, messages[-50:]), 4, 50)  # warm-up: imports, pool, caches
        load(healthz_sender(base), 4, 50)
        print(f"\nwebhooks under concurrency, shopcrier-hub serve --workers {workers} (daphne) + {kind}:")
        offset = 0
        for clients, total in PER_CLIENTS.items():
            baseline = load(healthz_sender(base), clients, total)
            hooks = load(webhook_sender(base, messages[offset:offset + total]), clients, total)
            offset += total
            print(baseline.line(f"{clients:>2} clients GET /healthz (baseline)"))
            print(hooks.line(f"{clients:>2} clients webhook, new message"))
            assert baseline.errors == [] and hooks.errors == [], (baseline.errors[:3], hooks.errors[:3])
    finally:
        assert web.terminate() == 0, web.log()[-3000:]
