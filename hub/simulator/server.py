"""The simulator's HTTP server (stdlib only, threaded)."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

MAX_PAGE = 500
MAX_POST_BYTES = 1024 * 1024


class Feed:
    """The platform's message log: append-only, each with a ``seq`` the cursor follows."""

    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.agents: Counter[str] = Counter()  # GET requests per User-Agent

    def add(self, item: dict[str, Any]) -> int:
        with self._lock:
            seq = len(self._items) + 1
            self._items.append({"seq": seq, **item})
            return seq

    def since(self, seq: int, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return self._items[seq : seq + limit]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class Handler(BaseHTTPRequestHandler):
    server: SimulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self._reply(200, {"ok": True, "messages": len(self.server.feed)})
            return
        if url.path != "/api/messages":
            self._reply(404, {"error": f"no such path {url.path}"})
            return
        query = parse_qs(url.query)
        try:
            since = int(query.get("since", ["0"])[-1])
            limit = min(int(query.get("limit", ["100"])[-1]), MAX_PAGE)
        except ValueError:
            self._reply(400, {"error": "since and limit must be integers"})
            return
        if since < 0 or limit < 1:
            self._reply(400, {"error": "since must be >= 0 and limit >= 1"})
            return
        self.server.feed.agents[self.headers.get("User-Agent", "")] += 1
        self._reply(200, {"data": {"items": self.server.feed.since(since, limit)}})

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/api/messages":
            self._reply(404, {"error": "POST goes to /api/messages"})
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_POST_BYTES:
            self._reply(413, {"error": f"send a Content-Length of at most {MAX_POST_BYTES} bytes"})
            return
        try:
            body = json.loads(self.rfile.read(int(length)))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._reply(400, {"error": f"body is not JSON: {exc}"})
            return
        items = body if isinstance(body, list) else [body]
        if not all(isinstance(i, dict) and isinstance(i.get("content"), str) for i in items):
            self._reply(400, {"error": "each message must be an object with a string content"})
            return
        self._reply(201, {"seq": [self.server.feed.add(i) for i in items]})


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], feed: Feed) -> None:
        super().__init__(address, Handler)
        self.feed = feed

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/api/messages"
