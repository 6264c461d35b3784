"""Strict readers for JSON payload fields.

Each reader either returns a value of the promised type or raises
:class:`PayloadError` naming the field; nothing is coerced silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from .errors import PayloadError

MAX_PAYLOAD_BYTES = 64 * 1024
VERSION = 1

SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def decode(data: bytes | str, kind: str) -> dict[str, Any]:
    """Parse a JSON object payload of ``kind``, checking size and version."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadError(kind, f"payload of {len(data)} bytes exceeds {MAX_PAYLOAD_BYTES}")
    try:
        obj = json.loads(data)
    except UnicodeDecodeError as exc:
        raise PayloadError(kind, f"payload is not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(kind, f"payload is not JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(obj, dict):
        raise PayloadError(kind, f"payload must be a JSON object, not {type(obj).__name__}")
    v = obj.get("v")
    if v != VERSION:
        raise PayloadError(f"{kind}.v", f"unsupported version {v!r} (expected {VERSION})")
    return obj


def encode(obj: Mapping[str, Any]) -> bytes:
    return json.dumps({"v": VERSION, **obj}, ensure_ascii=False, separators=(",", ":")).encode()


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, to the millisecond."""
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Reader:
    """Reads typed fields out of a decoded object, naming ``kind.field`` on error."""

    def __init__(self, obj: Mapping[str, Any], kind: str) -> None:
        self.obj = obj
        self.kind = kind

    def error(self, name: str, reason: str) -> PayloadError:
        return PayloadError(f"{self.kind}.{name}", reason)

    def _get(self, name: str, optional: bool) -> Any:
        value = self.obj.get(name)
        if value is None and not optional:
            raise self.error(name, "is required")
        return value

    def str(
        self,
        name: str,
        *,
        optional: bool = False,
        max_len: int = 200,
        pattern: re.Pattern[str] | None = None,
        choices: Iterable[str] | None = None,
    ) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, not {type(value).__name__}")
        if not value.strip():
            raise self.error(name, "must not be empty")
        if len(value) > max_len:
            raise self.error(name, f"is {len(value)} characters long (at most {max_len})")
        if choices is not None and value not in choices:
            raise self.error(name, f"{value!r} is not one of {', '.join(sorted(choices))}")
        if pattern is not None and not pattern.match(value):
            raise self.error(name, f"{value!r} is malformed")
        return value

    def int(self, name: str, *, optional: bool = False, low: int = 0, high: int = 2**63 - 1) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be an integer, not {type(value).__name__}")
        if not low <= value <= high:
            raise self.error(name, f"{value} is outside {low}..{high}")
        return value

    def float(self, name: str, *, optional: bool = False, low: float = 0.0) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(name, f"must be a number, not {type(value).__name__}")
        if value != value or value < low:  # NaN or below range
            raise self.error(name, f"{value} is below {low}")
        return float(value)

    def bool(self, name: str) -> bool:
        value = self._get(name, False)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, not {type(value).__name__}")
        return value

    def time(self, name: str, *, optional: bool = False) -> Any:
        value = self.str(name, optional=optional, max_len=40)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.error(name, f"{value!r} is not an RFC 3339 time") from None
        if parsed.tzinfo is None:
            raise self.error(name, f"{value!r} has no time zone")
        return parsed

    def object(self, name: str, *, optional: bool = False) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(name, f"must be an object, not {type(value).__name__}")
        return Reader(value, f"{self.kind}.{name}")

    def list(self, name: str, *, max_items: int = 100) -> list[Any]:
        value = self.obj.get(name, [])
        if not isinstance(value, list):
            raise self.error(name, f"must be a list, not {type(value).__name__}")
        if len(value) > max_items:
            raise self.error(name, f"has {len(value)} items (at most {max_items})")
        return value
