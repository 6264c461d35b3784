"""A light load generator: one thread, asyncio, raw HTTP/1.1 on keep-alive connections.

The first client (:func:`tests.webhook_load.load`: a thread per client, each
with a ``requests`` session, signing each body as it goes) costs about as much
CPU per request as the server it measures, on the same 2 cores
(docs/performance.md). This one builds and signs every request before the
clock starts, so during a run it only writes bytes, reads the status line and
headers, and checks the body: what remains of the 2 cores goes to the server.
Each of ``clients`` coroutines holds one connection and has one request in
flight at a time, as a platform's senders would. A request's latency runs from
its first byte written to its reply's last byte read.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tests.webhook_load import Run, signed

Check = Callable[[int, bytes], str | None]


def webhook_requests(base: str, messages: Sequence[dict[str, Any]], path: str = "/hooks/shop/") -> list[bytes]:
    """Each message as a complete signed ``POST`` (signed now: sign just before the run)."""
    host = urlsplit(base).netloc
    made = []
    for message in messages:
        body, headers = signed(message)
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        made.append(f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    return made


def healthz_requests(base: str, n: int) -> list[bytes]:
    host = urlsplit(base).netloc
    return [f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()] * n


def stored_one(status: int, body: bytes) -> str | None:
    """A webhook reply that stored its one new message, else what it was."""
    if status != 200 or json.loads(body).get("stored") != 1:
        return f"HTTP {status}: {body[:200]!r}"
    return None


def answered(status: int, body: bytes) -> str | None:
    return None if status in (200, 503) else f"HTTP {status}: {body[:200]!r}"


async def _reply(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 response: status, body, whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")  # the empty trailer
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() != "close"


async def _load(base: str, prepared: Sequence[bytes], check: Check, clients: int) -> Run:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    run = Run()
    todo = iter(range(len(prepared)))

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in todo:
                started = time.perf_counter()
                try:
                    writer.write(prepared[i])
                    status, body, keep = await asyncio.wait_for(_reply(reader), 60)
                    problem = check(status, body)
                except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
                    problem, keep = f"{type(exc).__name__}: {exc}", False
                run.latencies.append(time.perf_counter() - started)
                if problem:
                    run.errors.append(problem)
                if not keep:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    run.wall = time.perf_counter() - started
    return run


def aload(base: str, prepared: Sequence[bytes], check: Check, clients: int) -> Run:
    """Every request in ``prepared`` sent once, by ``clients`` connections at once."""
    return asyncio.run(_load(base, prepared, check, clients))
