"""Any JSON API: a list at ``items_path``, fields mapped by dotted path, a since-style cursor."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from .base import FetchError, Item, Page, Reject

if TYPE_CHECKING:
    from hub.intake.models import Source

MAX_REPLY_BYTES = 5 * 1024 * 1024
MAX_CONTENT = 10_000
TIMEOUT = (5.0, 20.0)  # connect, read


def dig(obj: Any, path: str) -> Any:
    """``dig({"a": {"b": 1}}, "a.b") == 1``; None where the path does not lead."""
    for key in path.split(".") if path else []:
        if isinstance(obj, dict):
            obj = obj.get(key)
        elif isinstance(obj, list) and key.isdigit() and int(key) < len(obj):
            obj = obj[int(key)]
        else:
            return None
    return obj


def read_capped(response: requests.Response, limit: int = MAX_REPLY_BYTES) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"reply of {declared} bytes exceeds the {limit}-byte cap")
    body = bytearray()
    for chunk in response.iter_content(65536):
        body += chunk
        if len(body) > limit:
            raise FetchError(f"reply exceeds the {limit}-byte cap")
    return bytes(body)


def auth_for(source: Source) -> tuple[dict[str, str], dict[str, str], tuple[str, str] | None]:
    """Headers, query params and basic-auth pair for ``source.auth``. Secrets come from env vars."""
    auth = source.auth or {}
    kind = auth.get("type", "none")

    def secret(key: str) -> str:
        name = auth.get(key)
        if not name:
            raise FetchError(f"auth {kind}: {key} is not set")
        value = os.environ.get(name)
        if value is None:
            raise FetchError(f"auth {kind}: environment variable {name} is not set")
        return value

    if kind == "none":
        return {}, {}, None
    if kind == "bearer":
        return {"Authorization": f"Bearer {secret('token_env')}"}, {}, None
    if kind == "basic":
        return {}, {}, (str(auth.get("user", "")), secret("password_env"))
    if kind == "header":
        return {str(auth.get("name", "")): secret("value_env")}, {}, None
    if kind == "query":
        return {}, {str(auth.get("param", "")): secret("value_env")}, None
    raise FetchError(f"auth type {kind!r} is not bearer, basic, header or query")


def _text(raw: dict[str, Any], path: str | None, name: str, max_len: int = 200) -> str:
    if not path:
        return ""
    value = dig(raw, path)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{name} ({path}) must be text, not {type(value).__name__}")
    text = str(value).strip()
    if len(text) > max_len:
        raise ValueError(f"{name} ({path}) is {len(text)} characters long (at most {max_len})")
    return text


def map_item(raw: Any, fields: dict[str, str]) -> Item:
    """Map one raw item; ValueError names the field that is wrong."""
    if not isinstance(raw, dict):
        raise ValueError(f"item must be an object, not {type(raw).__name__}")
    content = _text(raw, fields.get("content", "content"), "content", MAX_CONTENT)
    if not content:
        raise ValueError(f"content ({fields.get('content', 'content')}) is missing or empty")
    created_raw = _text(raw, fields.get("created_at"), "created_at", 40)
    created_at = None
    if created_raw:
        try:
            created_at = datetime.fromisoformat(created_raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"created_at {created_raw!r} is not an ISO 8601 time") from None
    return Item(
        content=content,
        external_id=_text(raw, fields.get("id"), "id"),
        user_id=_text(raw, fields.get("user_id"), "user_id"),
        user_name=_text(raw, fields.get("user"), "user"),
        platform_type=_text(raw, fields.get("type"), "type", 100),
        app=_text(raw, fields.get("app"), "app", 64),
        created_at=created_at,
        raw=raw,
    )


def _snippet(data: bytes | str, limit: int = 500) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[:limit]


class GenericAdapter:
    def fetch(self, source: Source, session: requests.Session, url: str | None = None) -> Page:
        headers, params, basic = auth_for(source)
        if url is None and source.cursor:
            params[source.cursor_config.get("param", "since_id")] = source.cursor
        try:
            response = session.get(
                url or source.url, params=params, headers=headers, auth=basic, timeout=TIMEOUT, stream=True
            )
            with response:
                body = read_capped(response)
        except requests.Timeout:
            raise FetchError(f"no reply within {TIMEOUT[1]:.0f} s") from None
        except requests.RequestException as exc:
            raise FetchError(f"request failed: {exc}") from None
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code}: {_snippet(body, 200)}")
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise FetchError("reply is not UTF-8") from None
        except json.JSONDecodeError as exc:
            looks = " (looks like an HTML page)" if body.lstrip()[:1] == b"<" else ""
            raise FetchError(f"reply is not JSON{looks}: {exc.msg} at {exc.pos}") from None
        raw_items = dig(data, source.items_path)
        if not isinstance(raw_items, list):
            raise FetchError(f"reply has no list at {source.items_path!r}")
        return self.page(raw_items, source)

    def page(self, raw_items: list[Any], source: Source) -> Page:
        items: list[Item] = []
        rejects: list[Reject] = []
        cursor: str | None = None
        for raw in raw_items:
            # The cursor moves past bad items too: they are quarantined, not re-fetched forever.
            position = dig(raw, source.cursor_config.get("field", "id")) if isinstance(raw, dict) else None
            if isinstance(position, (str, int)) and not isinstance(position, bool):
                cursor = str(position)
            try:
                items.append(map_item(raw, source.fields))
            except ValueError as exc:
                rejects.append(Reject(reason=str(exc), raw=_snippet(json.dumps(raw, ensure_ascii=False))))
        more = bool(raw_items) and cursor is not None and cursor != source.cursor
        return Page(items=items, rejects=rejects, cursor=cursor, more=more)
