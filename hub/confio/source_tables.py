"""The inline tables of a ``[[sources]]`` entry: auth, cursor, pagination, webhook, fields; and its URL.

They become the JSON settings of ``hub.intake.models.Source`` as they are
written (``interval`` aside, which is stored in seconds). Secrets are named by
environment variable only: every secret key ends in ``_env``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from hub.intake.adapters.compose import TemplateFieldError, is_template, placeholders
from hub.intake.interval import MAX_SECONDS, parse_interval
from mqtt.fields import LANG_RE

from .reader import SECRET_HINT, Table, looks_like_secret

# auth type -> (required keys, optional keys), as hub.intake.adapters.generic.auth_for reads
# them; a key ending in _env names an environment variable. A new kind of auth goes in both.
AUTH_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "none": ((), ()),
    "bearer": (("token_env",), ()),
    "basic": (("user", "password_env"), ()),
    "header": (("name", "value_env"), ()),
    "query": (("param", "value_env"), ()),
    "woocommerce": (("key_env", "secret_env"), ("in",)),
    "shopify": (("token_env",), ()),
}
AUTH_CHOICES = {"in": ("basic", "query")}  # woocommerce: HTTP basic auth, or query parameters
CURSOR_TYPES = ("id", "timestamp")
PAGINATION_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # type -> (required keys, optional keys); "none" is the same as no pagination table
    "none": ((), ()),
    "link_header": ((), ()),
    "next": (("path",), ()),
    "page": (("param",), ("size_param", "size", "order")),
}
PAGE_ORDERS = ("oldest_first", "newest_first")
FIELD_NAMES = ("id", "user_id", "user", "content", "type", "app", "created_at", "amount", "currency")
PATH_ONLY = ("created_at", "amount", "currency")  # read as values, so never composed from a template
MAX_URL = 2000


def interval(entry: Table, key: str, default: str) -> int:
    value = entry.raw(key, default)
    if not isinstance(value, str):
        raise entry.error(key, 'must be a string like "5s", "2m" or "1h" (seconds, minutes, hours)')
    try:
        return parse_interval(value)
    except ValueError as exc:
        raise entry.error(key, str(exc).removeprefix("interval ")) from None


def url(entry: Table, key: str = "url") -> str:
    value = entry.text(key, max_len=MAX_URL)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise entry.error(key, f"{value!r} must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise entry.error(key, f"holds credentials (user:password@): {SECRET_HINT}")
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if looks_like_secret(name):
            raise entry.error(key, f"its query parameter {name!r} looks like a secret: {SECRET_HINT}")
    return value


def auth(entry: Table) -> dict[str, Any]:
    table = entry.sub("auth")
    if table is None:
        return {}
    every_key = {key for required, optional in AUTH_TYPES.values() for key in (*required, *optional)}
    table.refuse_secrets(("type", *every_key), secret_words=("value",))
    kind = table.choice("type", AUTH_TYPES)
    required, optional = AUTH_TYPES[kind]
    table.check_keys(("type", *required, *optional), secret_words=("value",))
    out: dict[str, Any] = {"type": kind}
    for key in (*required, *(key for key in optional if table.has(key))):
        if key.endswith("_env"):
            out[key] = table.env_name(key)
        elif key in AUTH_CHOICES:
            out[key] = table.choice(key, AUTH_CHOICES[key])
        else:
            out[key] = table.text(key)
    return out


def cursor(entry: Table) -> dict[str, Any] | None:
    table = entry.sub("cursor")
    if table is None:
        return None
    table.check_keys(("param", "field", "type", "overlap"))
    # no param (or ""): an API that takes no cursor; the field is still read to track progress
    param = table.text("param", "", max_len=100, empty=True)
    out: dict[str, Any] = {"param": param, "field": table.text("field")}
    if table.has("type"):
        out["type"] = table.choice("type", CURSOR_TYPES)
    if table.has("overlap"):
        # seconds; "30s" is taken too
        raw = table.raw("overlap", 0)
        out["overlap"] = interval(table, "overlap", "0s") if isinstance(raw, str) else table.integer(
            "overlap", low=0, high=MAX_SECONDS
        )
    return out


def pagination(entry: Table) -> dict[str, Any]:
    table = entry.sub("pagination")
    if table is None or not table.data:
        return {}
    kind = table.choice("type", PAGINATION_KEYS)
    required, optional = PAGINATION_KEYS[kind]
    table.check_keys(("type", *required, *optional))
    if kind == "none":
        return {}
    out: dict[str, Any] = {"type": kind}
    for key in required:
        out[key] = table.text(key)
    for key in optional:
        if key == "order" and table.has(key):
            order = table.choice(key, PAGE_ORDERS)
            if order != "oldest_first":  # the default is not stored, so dump does not write it
                out[key] = order
        elif table.has(key):
            out[key] = table.integer(key, low=1, high=10_000) if key == "size" else table.text(key)
    return out


def webhook(entry: Table) -> dict[str, Any]:
    table = entry.sub("webhook")
    if table is None or not table.data:
        return {}
    table.check_keys(("secret_env",))
    return {"secret_env": table.env_name("secret_env")}


def fields(entry: Table) -> dict[str, str] | None:
    """Dotted paths; a text field may instead be a template of paths (hub.intake.adapters.compose)."""
    table = entry.sub("fields")
    if table is None:
        return None
    # Keys here are names of message fields, not settings: no secret check applies.
    unknown = sorted(set(table.data) - set(FIELD_NAMES))
    if unknown:
        raise table.error(unknown[0], f"unknown field (known: {', '.join(FIELD_NAMES)})")
    out = {name: table.text(name, max_len=1000) for name in FIELD_NAMES if table.has(name)}
    for name, value in out.items():
        if not is_template(value):
            continue
        if name in PATH_ONLY:
            raise table.error(name, f"must be a dotted path to the item's {name}, not a template")
        try:
            placeholders(value)
        except TemplateFieldError as exc:
            raise table.error(name, str(exc)) from None
    return out


def item_type(entry: Table) -> str:
    """``type = "order"``: every item of the source is of this type (when it has none of its own)."""
    return entry.text("type", "", max_len=100, empty=True)


def language(entry: Table) -> str:
    """``language = "zh"``: the language of every message of the source; "" detects it per message."""
    value = entry.text("language", "", max_len=16, empty=True)
    if value and not LANG_RE.match(value):
        raise entry.error("language", f"{value!r} is not a language code like zh or en")
    return value
