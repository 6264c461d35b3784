"""Strict readers for JSON payload fields.

Each reader either returns a value of the promised type or raises
:class:`PayloadError` naming the field; nothing is coerced silently.
"""

from __future__ import annotations

import builtins
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from .errors import PayloadError

MAX_PAYLOAD_BYTES = 64 * 1024
VERSION = 1

# \Z, not $: "$" also matches before a trailing newline, so "orders\n" would pass.
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\Z")
SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")


def decode(data: bytes | str, kind: str) -> dict[str, Any]:
    """Parse a JSON object payload of ``kind``, checking size and version."""
    if isinstance(data, str):
        size = len(data.encode("utf-8", "surrogatepass"))
    else:
        size = len(data)
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadError(kind, f"payload of {size} bytes exceeds {MAX_PAYLOAD_BYTES}")
    if not isinstance(data, str):
        # Decode here: json.loads(bytes) would also take UTF-16 and UTF-32.
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(kind, f"payload is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise PayloadError(kind, f"payload is not JSON ({exc.msg} at {exc.pos})") from None
    except (ValueError, RecursionError) as exc:  # an integer of > 4300 digits; nesting too deep
        raise PayloadError(kind, f"payload is not acceptable JSON ({type(exc).__name__})") from None
    if not isinstance(obj, dict):
        raise PayloadError(kind, f"payload must be a JSON object, not {type(obj).__name__}")
    v = obj.get("v")
    if type(v) is not int or v != VERSION:  # True == 1 and 1.0 == 1 in Python
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
        max_len: builtins.int = 200,
        pattern: re.Pattern[builtins.str] | None = None,
        choices: Iterable[builtins.str] | None = None,
    ) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, not {type(value).__name__}")
        if not value.strip():
            raise self.error(name, "must not be empty")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800"): to_json could not encode it
            raise self.error(name, "is not valid Unicode text") from None
        if len(value) > max_len:
            raise self.error(name, f"is {len(value)} characters long (at most {max_len})")
        if choices is not None and value not in choices:
            raise self.error(name, f"{value!r} is not one of {', '.join(sorted(choices))}")
        if pattern is not None and not pattern.match(value):
            raise self.error(name, f"{value!r} is malformed")
        return value

    def int(
        self,
        name: builtins.str,
        *,
        optional: builtins.bool = False,
        low: builtins.int = 0,
        high: builtins.int = 2**63 - 1,
    ) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be an integer, not {type(value).__name__}")
        if not low <= value <= high:
            raise self.error(name, f"{value} is outside {low}..{high}")
        return value

    def float(self, name: builtins.str, *, optional: builtins.bool = False, low: builtins.float = 0.0) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(name, f"must be a number, not {type(value).__name__}")
        try:
            number = builtins.float(value)
        except OverflowError:  # an integer beyond any float
            raise self.error(name, "is too large") from None
        if not math.isfinite(number):  # json.loads takes NaN and Infinity; json.dumps would write them back
            raise self.error(name, f"{value} is not a finite number")
        if number < low:
            raise self.error(name, f"{value} is below {low}")
        return number

    def bool(self, name: builtins.str) -> builtins.bool:
        value = self._get(name, False)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, not {type(value).__name__}")
        return value

    def time(self, name: builtins.str, *, optional: builtins.bool = False) -> Any:
        value = self.str(name, optional=optional, max_len=40)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.error(name, f"{value!r} is not an RFC 3339 time") from None
        if parsed.tzinfo is None:
            raise self.error(name, f"{value!r} has no time zone")
        try:  # every reader works in UTC, so a time that has no UTC year 1..9999 is refused here
            parsed.astimezone(timezone.utc)
        except OverflowError:
            raise self.error(name, f"{value!r} falls outside the years 1..9999 in UTC") from None
        return parsed

    def object(self, name: builtins.str, *, optional: builtins.bool = False) -> Any:
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(name, f"must be an object, not {type(value).__name__}")
        return Reader(value, f"{self.kind}.{name}")

    def list(self, name: builtins.str, *, max_items: builtins.int = 100) -> builtins.list[Any]:
        value = self.obj.get(name, [])
        if not isinstance(value, list):
            raise self.error(name, f"must be a list, not {type(value).__name__}")
        if len(value) > max_items:
            raise self.error(name, f"has {len(value)} items (at most {max_items})")
        return value
