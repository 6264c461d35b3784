"""``/hooks/…`` under ASGI without the dashboard's middleware and without a thread per request.

Django's ASGI handler runs every request in a new thread of its own
(asgiref's ``ThreadSensitiveContext``) and, because the dashboard's middleware
is sync-only while the rest is async-capable, hops between that thread and
the event loop several times a request. Under 32 concurrent webhooks on the
2-core test machine that cost as much CPU as the webhook itself
(docs/performance.md). A webhook needs none of the session, login, CSRF,
messages, language or static-file middleware (it is CSRF-exempt, signed, and
answers JSON).

:class:`WebhookFastPath` wraps the ASGI application: an HTTP request whose path
starts with ``/hooks/`` has its body read on the event loop, then goes through
Django's ordinary (sync) request handling, with only
:data:`HOOKS_MIDDLEWARE`, on one of a fixed set of threads (as many as the
web process's database pool has connections: more could only wait for one);
everything else goes to the wrapped application unchanged. Requests queue for
a thread in arrival order. The reply, the refusals and the exactly-once
storing are the view's own (:mod:`hub.intake.webhooks`), as before. A client
that hangs up once its body is read does not stop the storing: its reply is
lost, the platform sends again, and the repeat is counted as a duplicate.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.handlers.asgi import ASGIRequest, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponseBase
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

from .webhooks import MAX_BODY_BYTES

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/hooks/"
# Security headers (and the HTTPS redirect and HSTS when configured), the allowed-host check,
# clickjacking protection: what a JSON endpoint for platforms still wants.
HOOKS_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


class HooksHandler(BaseHandler):
    """Django's sync request handling with :data:`HOOKS_MIDDLEWARE` only."""

    def load_hooks_middleware(self) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(HOOKS_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler

    def respond(self, scope: Scope, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The whole request on this thread: its status, headers and body."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        response: HttpResponseBase | None = None
        try:
            response = self.get_response(ASGIRequest(scope, io.BytesIO(body)))
            content = b"".join(response) if response.streaming else response.content  # type: ignore[attr-defined]
            headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
            headers += [(b"Set-Cookie", c.output(header="").encode("ascii").strip()) for c in response.cookies.values()]
            return response.status_code, headers, content
        finally:
            if response is not None:
                response._handler_class = self.__class__  # type: ignore[attr-defined]
                response.close()  # request_finished: this thread's database connection goes back to the pool
            else:
                signals.request_finished.send(sender=self.__class__)


def thread_count() -> int:
    """As many threads as a request can have database connections at once (the pool's size)."""
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    return int(pool["max_size"]) if isinstance(pool, dict) and "max_size" in pool else 8


class WebhookFastPath:
    """The ASGI application ``app``, with ``/hooks/`` HTTP requests handled as above."""

    def __init__(self, app: ASGIApp, threads: int | None = None) -> None:
        self.app = app
        self.handler = HooksHandler()
        self.handler.load_hooks_middleware()
        self.executor = ThreadPoolExecutor(max_workers=threads or thread_count(), thread_name_prefix="webhook")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return  # the client went away before it finished sending
        loop = asyncio.get_running_loop()
        status, headers, content = await loop.run_in_executor(self.executor, self.handler.respond, scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


async def read_body(receive: Receive) -> bytes | None:
    """The request's body; past :data:`MAX_BODY_BYTES` + 1 the rest is read and dropped (the view
    refuses the body as too big). None when the client disconnected first."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if len(body) <= MAX_BODY_BYTES:
            body += message.get("body", b"")[: MAX_BODY_BYTES + 1 - len(body)]
        if not message.get("more_body", False):
            return bytes(body)
