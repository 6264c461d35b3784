"""Replies that must not stop intake, the same for every adapter: each is a recorded source error.

A test queues ``case.answer`` on a platform server, polls with ``case.limits``
set on :mod:`hub.intake.adapters.transport` (small caps and timeouts keep the
tests fast), and expects ``case.error`` in the source's ``last_error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.platform_servers import Answer

HTML_ERROR = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>\n"
)
PADDED = b"[" + b" " * 5000 + b"]"  # valid JSON, too big for a 2000-byte cap


@dataclass(frozen=True)
class BadReply:
    name: str
    answer: Answer
    error: str
    limits: dict[str, object] = field(default_factory=dict)


BAD_REPLIES = [
    BadReply("html-page-with-200", Answer(200, HTML_ERROR, {"Content-Type": "text/html"}), "looks like an HTML page"),
    BadReply("malformed-json", Answer(200, b'[{"id": 1, "content": "cut o', {"Content-Type": "application/json"}), "reply is not JSON"),
    BadReply("non-utf8-outside-strings", Answer(200, b"[\xff]", {"Content-Type": "application/json"}), "not UTF-8 (0xff at byte 1)"),
    BadReply("nested-too-deeply", Answer(200, b"[" * 100_000, {"Content-Type": "application/json"}), "nested too deeply"),
    BadReply("server-error", Answer(500, b"upstream exploded", {"Content-Type": "text/plain"}), "HTTP 500 Internal Server Error: upstream exploded"),
    BadReply("rate-limited", Answer(429, b"", {"Retry-After": "30"}), "HTTP 429 Too Many Requests: the platform asks to wait 30 s (Retry-After)"),
    BadReply("over-the-cap-declared", Answer(200, PADDED), "reply of 5002 bytes exceeds the 2000-byte cap", {"MAX_REPLY_BYTES": 2000}),
    BadReply("over-the-cap-undeclared", Answer(200, PADDED, length=False), "reply exceeds the 2000-byte cap", {"MAX_REPLY_BYTES": 2000}),
    BadReply("no-answer-in-time", Answer(200, b"[]", delay=1.0), "no reply within 0.2 s", {"TIMEOUT": (2.0, 0.2)}),
    BadReply("dripped-too-slowly", Answer(200, b"[" + b" " * 200 + b"]", drip=0.01), "reply still arriving after 0.3 s", {"DEADLINE": 0.3}),
]
