"""A real HTTP receiver for notifications (Apprise ``json://`` posts to it), and targets that point at it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hub.notify.models import Target
from hub.org.models import Department, Staff


@dataclass(frozen=True)
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def notification_id(self) -> str:
        """The id line Apprise bodies end with (``#<uuid>``)."""
        message = self.json()["message"]
        return str(message.rsplit("#", 1)[1].strip())


class Receiver(ThreadingHTTPServer):
    """Records every POST; answers each with the next queued status (200 when none), after ``delay`` s."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[Posted] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server_address[1]}/hook"

    def received(self, timeout: float = 0.0, count: int = 1) -> list[Posted]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.posts)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.posts.append(Posted(self.path, dict(self.headers), body))
            status = self.server.statuses.pop(0) if self.server.statuses else 200
        time.sleep(self.server.delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


@contextmanager
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def bot(name: str, env: str, *, department: str | None = None, staff: str | None = None, **fields: Any) -> Target:
    """An Apprise target whose URL sits in the environment variable ``env``."""
    return Target.objects.create(
        kind="apprise", name=name, url_env=env,
        department=Department.objects.get(slug=department) if department else None,
        staff=Staff.objects.get(number=staff) if staff else None,
        **fields,
    )
