"""Reading a reply body as JSON, strictly, without losing the good items over one bad one.

Bytes that are not UTF-8 are kept as lone surrogates (``surrogateescape``)
instead of failing the whole reply: the reply still parses when they sit inside
strings, and :func:`flaw` then names the item, field and byte, so only that
item is quarantined. Where they break the JSON itself, the reply is refused.
"""

from __future__ import annotations

import codecs
import json
import math
from email.message import Message
from typing import Any

from .base import FetchError
from .transport import Reply

SNIPPET = 500


def _charset(content_type: str) -> str:
    header = Message()
    header["Content-Type"] = content_type
    return str(header.get_param("charset") or "").strip().lower()


def _first_bad_byte(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"0x{body[exc.start]:02x} at byte {exc.start}"
    return ""


def _looks_like_html(reply: Reply) -> bool:
    return "html" in reply.headers.get("Content-Type", "").lower() or reply.body.lstrip()[:1] == b"<"


def _decode(reply: Reply) -> str:
    body = reply.body.removeprefix(codecs.BOM_UTF8)
    charset = _charset(reply.headers.get("Content-Type", ""))
    if charset in ("", "utf-8", "utf8"):
        return body.decode("utf-8", "surrogateescape")
    # JSON is UTF-8 (RFC 8259), but a platform that says gbk means gbk.
    try:
        return body.decode(charset)
    except LookupError:
        raise FetchError(f"reply declares charset {charset!r}, which is not known") from None
    except UnicodeDecodeError as exc:
        raise FetchError(f"reply is not {charset} as it declares: byte 0x{body[exc.start]:02x} at {exc.start}") from None


def json_body(reply: Reply) -> Any:
    """The parsed body; FetchError says why a reply is not JSON (an HTML page, bad bytes, too deep)."""
    text = _decode(reply)
    try:
        return json.loads(text)
    except RecursionError:
        raise FetchError("reply is not JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and ints longer than Python allows
        where = f": {exc.msg} at {exc.pos}" if isinstance(exc, json.JSONDecodeError) else f": {exc}"
        looks = " (looks like an HTML page)" if _looks_like_html(reply) else ""
        bad = _first_bad_byte(reply.body)
        also = f"; it holds bytes that are not UTF-8 ({bad})" if bad else ""
        raise FetchError(f"reply is not JSON{looks}{where}{also}") from None


def _bad_text(text: str) -> str:
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            return f"holds bytes that are not UTF-8 (0x{ord(ch) - 0xDC00:02x})"
        if "\ud800" <= ch <= "\udfff":
            return f"holds an unpaired surrogate (\\u{ord(ch):04x})"
    return ""


def flaw(raw: Any) -> str:
    """Why ``raw`` cannot be stored as it is (non-UTF-8 bytes, NaN), naming where; "" when it can."""
    stack: list[tuple[str, Any]] = [("", raw)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            why = _bad_text(value)
            if why:
                return f"{path or 'item'} {why}"
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{path or 'item'} is {value}, which JSON does not allow"
        elif isinstance(value, dict):
            for key in value:
                why = _bad_text(key)
                if why:
                    return f"a key in {path or 'item'} {why}"
            # pushed in reverse, so the first flaw in reading order is the one named
            stack.extend((f"{path}.{key}" if path else key, inner) for key, inner in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), inner) for i, inner in reversed(list(enumerate(value))))
    return ""


def printable(text: str) -> str:
    """``text`` safe to store: non-UTF-8 bytes and lone surrogates shown as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def snippet(raw: Any, limit: int = SNIPPET) -> str:
    """The start of ``raw`` as JSON, for a quarantine row."""
    return printable(json.dumps(raw, ensure_ascii=False, default=str))[:limit]
