"""``POST /hooks/<source>/``: a platform pushes messages to the hub the moment they happen.

The request is checked in this order, and each refusal names its problem in
``{"error": …}`` and stores nothing: POST only (405); an enabled source (404);
its ``webhook.secret_env`` names a set environment variable (503); the body is
at most :data:`MAX_BODY_BYTES` (413); the platform's signature
(:mod:`hub.intake.webhook_signatures`, 401); UTF-8 JSON of the right shape
(400; :mod:`hub.intake.webhook_mapping`), at most ``MAX_BATCH_ITEMS`` items
(413). Then the items are stored exactly like a polled page (one transaction,
unique dedup key, bad items quarantined beside the good ones) and the reply is
``{"stored": n, "duplicates": d, "quarantined": q}``. WooCommerce's unsigned
``webhook_id=N`` ping, sent when a webhook is created, gets a 200 and stores
nothing.

A webhook never moves the poll cursor: the poller still reads every message,
and the ones a webhook already brought are dropped as duplicates.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import webhook_pipeline
from .adapters import Page
from .models import Source
from .store import store_page
from .webhook_mapping import WebhookShapeError, page_for
from .webhook_signatures import BadSignature, verify

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
_CHUNK = 64 * 1024
# WooCommerce checks a new webhook's URL with this unsigned form body and wants a 200.
_WOO_PING = re.compile(rb"webhook_id=\d+")


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _source(name: str) -> Source:
    source = Source.objects.filter(name=name, enabled=True).first()
    if source is None:
        raise Refused(404, f"no enabled source named {name!r}")
    return source


def _secret(source: Source) -> bytes:
    """The webhook secret, named by environment variable; never logged."""
    name = (source.webhook or {}).get("secret_env")
    if not name or not isinstance(name, str):
        raise Refused(503, f"source {source.name!r} takes no webhooks: its webhook.secret_env is not set")
    value = os.environ.get(name)
    if not value:
        raise Refused(503, f"source {source.name!r}: environment variable {name} (webhook.secret_env) is not set")
    return os.fsencode(value)  # the variable's exact bytes, even ones that are not UTF-8


def _body(request: HttpRequest) -> bytes:
    """The raw body, refused past the cap whether or not Content-Length admits its size."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(413, f"body of {declared} bytes exceeds the {MAX_BODY_BYTES}-byte cap")
    body = bytearray()
    while chunk := request.read(_CHUNK):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, f"body exceeds the {MAX_BODY_BYTES}-byte cap")
    return bytes(body)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"body is not UTF-8: byte 0x{body[exc.start]:02x} at position {exc.start}") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Refused(400, f"body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:  # NaN, Infinity: valid Python, not JSON, and unstorable
        raise Refused(400, f"body is not JSON: {exc}") from None
    except RecursionError:
        raise Refused(400, "body is not acceptable JSON: nested too deeply") from None


def _refusal(status: int, reason: str) -> JsonResponse:
    response = JsonResponse({"error": reason}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:  # RFC 9110: a 401 names the scheme that would be accepted
        response["WWW-Authenticate"] = 'HMAC realm="shopcrier-webhooks"'
    return response


def _refused(source: str, status: int, reason: str) -> JsonResponse:
    log.warning("source %s: webhook refused (%d): %s", source, status, reason)
    return _refusal(status, reason)


def answers_json(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Whatever goes wrong inside ``view``, the platform gets JSON naming it, never Django's HTML page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception as exc:
            log.exception("webhook %s failed", request.path)
            return _refusal(500, f"internal error ({type(exc).__name__}): nothing was stored; send it again later")

    return wrapped


@csrf_exempt
@answers_json
def no_such_hook(request: HttpRequest, rest: str) -> JsonResponse:
    """Anything under ``/hooks/`` that is not ``/hooks/<source>/``: a JSON 404, as every answer there."""
    return _refusal(404, f"no webhook at {request.path!r}: POST to /hooks/<source>/")


@csrf_exempt
@answers_json
def receive(request: HttpRequest, source: str) -> JsonResponse:
    if request.method != "POST":
        response = _refusal(405, f"{request.method} is not allowed: webhooks are POSTed")
        response["Allow"] = "POST"
        return response
    try:
        found = _source(source)
        secret = _secret(found)
        body = _body(request)
        if found.adapter == "woocommerce" and _WOO_PING.fullmatch(body):
            log.info("source %s: WooCommerce webhook ping (%s), nothing to store", found.name, body.decode("ascii"))
            return JsonResponse({"ping": "ok"})
        verify(found.adapter, secret, request.headers, body, time.time())
        page = page_for(found, _json(body))
    except BadSignature as exc:
        return _refused(source, 401, exc.reason)
    except WebhookShapeError as exc:
        return _refused(source, exc.status, str(exc))
    except Refused as exc:
        return _refused(source, exc.status, exc.reason)
    return _store(found, page)


def _store(source: Source, page: Page) -> JsonResponse:
    stored = store_page(source, page, webhook_pipeline.cache().get())
    log.info(
        "source %s: webhook stored %d, %d duplicate(s), %d quarantined",
        source.name,
        stored.new,
        stored.duplicates,
        stored.rejected,
    )
    return JsonResponse({"stored": stored.new, "duplicates": stored.duplicates, "quarantined": stored.rejected})
