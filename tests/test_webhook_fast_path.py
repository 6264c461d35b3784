"""``/hooks/`` through the real web server (``shopcrier-hub serve``, daphne) takes the fast path
(hub/intake/webhook_asgi.py): the dashboard's middleware left out, every answer and refusal the
same as through Django's full stack, each message stored once; every other path unchanged."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.ack_helpers import database_url, pg_database, sql  # noqa: F401  (the fixtures)
from tests.webhook_load import fresh_messages, prepare, serve, signed
from tests.webhook_load_async import aload, webhook_requests

pytestmark = pytest.mark.e2e


def raw_request(base: str, request: bytes) -> bytes:
    """Send ``request`` as is on a new connection; everything the server answers until it closes."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_webhooks_skip_the_dashboards_middleware_and_every_answer_is_the_views_own(
    tmp_path: Path, database_url: str,  # noqa: F811  (the fixture)
) -> None:
    env = prepare(tmp_path, database_url)
    web, base = serve(env, tmp_path)
    try:
        message = fresh_messages(1, seed=3)[0]
        body, headers = signed(message)
        first = requests.post(f"{base}/hooks/shop/", data=body, headers=headers, timeout=30)
        again = requests.post(f"{base}/hooks/shop/", data=body, headers=headers, timeout=30)
        assert (first.status_code, first.json()) == (200, {"stored": 1, "duplicates": 0, "quarantined": 0})
        assert (again.status_code, again.json()) == (200, {"stored": 0, "duplicates": 1, "quarantined": 0})
        # the security headers stay; no session, CSRF cookie or language negotiation
        assert first.headers["X-Content-Type-Options"] == "nosniff"
        assert first.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in first.headers and "Cookie" not in first.headers.get("Vary", "")

        forged = requests.post(f"{base}/hooks/shop/", data=body, headers={**headers, "X-ShopCrier-Signature": "sha256=00"},
                               timeout=30)
        assert forged.status_code == 401 and "error" in forged.json()
        assert forged.headers["WWW-Authenticate"] == 'HMAC realm="shopcrier-webhooks"'
        got = requests.get(f"{base}/hooks/shop/", timeout=30)
        assert (got.status_code, got.headers["Allow"]) == (405, "POST")
        nowhere = requests.post(f"{base}/hooks/a/b/c", data=b"{}", timeout=30)
        assert nowhere.status_code == 404 and "/hooks/<source>/" in nowhere.json()["error"]
        unknown = requests.post(f"{base}/hooks/nosuch/", data=body, headers=headers, timeout=30)
        assert unknown.status_code == 404 and "nosuch" in unknown.json()["error"]

        # more than the 1 MiB cap, chunked (no Content-Length to refuse it by): read, dropped, refused
        big = (b"x" * 65536 for _ in range(20))
        too_big = requests.post(f"{base}/hooks/shop/", data=big, headers=headers, timeout=60)
        assert too_big.status_code == 413 and "cap" in too_big.json()["error"]

        # the allowed-host check still applies
        evil = raw_request(base, b"POST /hooks/shop/ HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 2\r\n"
                                 b"Connection: close\r\n\r\n{}")
        assert evil.startswith(b"HTTP/1.1 400"), evil[:200]

        # other paths keep the whole stack: the login page sets its CSRF cookie
        login = requests.get(f"{base}/login/", timeout=30)
        assert login.status_code == 200 and "csrftoken" in login.cookies
        assert sql(database_url, "SELECT count(*) FROM intake_message") == [(1,)]
    finally:
        assert web.terminate() == 0, web.log()[-3000:]


def test_concurrent_webhooks_each_sent_twice_at_once_are_each_stored_once(
    tmp_path: Path, database_url: str,  # noqa: F811  (the fixture)
) -> None:
    env = prepare(tmp_path, database_url)
    web, base = serve(env, tmp_path)
    try:
        messages = fresh_messages(60, seed=8)
        doubled = [m for m in messages for _ in range(2)]  # each one's two copies sent side by side
        replies: list[dict[str, int]] = []

        def kept(status: int, body: bytes) -> str | None:
            replies.append(json.loads(body))
            return None if status == 200 else f"HTTP {status}: {body[:200]!r}"

        run = aload(base, webhook_requests(base, doubled), kept, 16)
        assert run.errors == [], run.errors[:3]
        assert sum(r["stored"] for r in replies) == 60 and sum(r["duplicates"] for r in replies) == 60
        assert sql(database_url, "SELECT count(*), count(DISTINCT external_id) FROM intake_message") == [(60, 60)]
        deliveries = sql(database_url, "SELECT (SELECT count(*) FROM outbox_delivery), (SELECT count(*) FROM "
                                       "(SELECT DISTINCT message_id, topic, announcement_id FROM outbox_delivery) AS d)")
        assert deliveries[0][0] == deliveries[0][1] > 0
    finally:
        assert web.terminate() == 0, web.log()[-3000:]
