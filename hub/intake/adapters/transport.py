"""One GET to a platform, bounded in time and size, with secrets kept out of what it reports.

A platform is outside our control: it may never answer, trickle its reply a
byte at a time, send a gigabyte, or answer 200 with its error page. Every such
reply ends here as a :class:`FetchError` whose message says what happened, so
the poller can record it as the source's health.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import requests
import urllib3

from .base import FetchError

# Module constants, read at call time, so tests shrink them with monkeypatch.
MAX_REPLY_BYTES = 5 * 1024 * 1024
TIMEOUT = (5.0, 20.0)  # seconds: to connect, and between two reads
DEADLINE = 60.0  # seconds for the whole body, however slowly it trickles in
CHUNK = 65536


@dataclass(frozen=True)
class Reply:
    """A platform's answer: ``url`` is the one asked, ``links`` the parsed ``Link`` header."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` set in its query string, replacing keys it already has."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*kept, *params.items()])))


def without_query(url: str, keys: Iterable[str]) -> str:
    """``url`` without the query keys ``keys`` (credentials a platform echoed into a link)."""
    drop = set(keys)
    if not drop:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (raw or URL-encoded) replaced by ``***``.

    Secrets shorter than 4 characters are left: hiding every "a" would make the
    message unreadable, and such a secret protects nothing.
    """
    for secret in secrets:
        if len(secret) >= 4:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
    return text


def read_capped(response: requests.Response, limit: int | None = None, deadline: float | None = None) -> bytes:
    """The body, refused past ``limit`` bytes (declared or counted) or past ``deadline`` (monotonic)."""
    limit = MAX_REPLY_BYTES if limit is None else limit
    deadline = time.monotonic() + DEADLINE if deadline is None else deadline
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"reply of {declared} bytes exceeds the {limit}-byte cap")
    # read1 returns whatever has arrived, so a reply trickled in a byte at a time
    # meets the deadline check; iter_content would block for a whole chunk.
    read1 = getattr(response.raw, "read1", None)
    chunks = iter(lambda: read1(CHUNK, decode_content=True) or b"", b"") if read1 else response.iter_content(CHUNK)
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise FetchError(f"reply exceeds the {limit}-byte cap")
        if time.monotonic() > deadline:
            raise FetchError(f"reply still arriving after {DEADLINE:g} s ({len(body)} bytes so far)")
    return bytes(body)


def get(
    session: requests.Session,
    url: str,
    headers: Mapping[str, str],
    basic: tuple[str, str] | None,
) -> Reply:
    """GET ``url`` (query included). Transport failures raise FetchError; any status is returned."""
    deadline = time.monotonic() + DEADLINE
    try:
        response = session.get(url, headers=dict(headers), auth=basic, timeout=TIMEOUT, stream=True)
        with response:
            body = read_capped(response, deadline=deadline)
    except requests.ConnectTimeout:
        raise FetchError(f"could not connect within {TIMEOUT[0]:g} s") from None
    except (requests.Timeout, urllib3.exceptions.ReadTimeoutError):
        raise FetchError(f"no reply within {TIMEOUT[1]:g} s") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(f"request failed: {exc}") from None
    return Reply(url=url, status=response.status_code, headers=response.headers, body=body, links=response.links)
