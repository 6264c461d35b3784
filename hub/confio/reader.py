"""Typed values out of one TOML table, each refusal naming the table, index and key."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Final

from mqtt.fields import SLUG_RE

from .errors import ConfigFileError

SECRET_HINT = "put the secret in an environment variable and name it with token_env (or the table's other *_env key)"

# A key made of one of these words (split on _ and -) holds a secret, unless it ends in _env.
_SECRET_WORDS = frozenset(
    {"token", "password", "passwd", "pwd", "pass", "secret", "key", "apikey", "credential", "credentials", "signature"}
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}\Z")
MAX_TEXT = 200


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()


def toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


def looks_like_secret(key: str) -> bool:
    """``token``, ``api_key``, ``consumer_secret``: yes. ``token_env``, ``keywords``: no."""
    words = [w for w in re.split(r"[_\-\s.]+", key.lower()) if w]
    if words and words[-1] == "env":
        return False
    return any(w in _SECRET_WORDS for w in words)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cs") for c in text)


class Table:
    """One table of the file at ``at`` (``sources[1]``, ``sources[1].auth``, ``hub``)."""

    def __init__(self, origin: str, at: str, data: Mapping[str, Any]) -> None:
        self.origin = origin
        self.at = at
        self.data = data

    def where(self, key: str) -> str:
        return f"{self.at}.{key}" if self.at else key

    def error(self, key: str | None, reason: str) -> ConfigFileError:
        return ConfigFileError(self.origin, self.where(key) if key else self.at or None, reason)

    def refuse_secrets(self, known: Iterable[str], *, secret_words: Iterable[str] = ()) -> None:
        """Refuse a key that holds a secret inline (``token = "…"``), saying what to do instead."""
        known = frozenset(known)
        extra = frozenset(secret_words)
        for key in self.data:
            if key not in known and (looks_like_secret(key) or key.lower() in extra):
                raise self.error(key, f"looks like an inline secret: {SECRET_HINT}")

    def check_keys(self, known: Iterable[str], *, secret_words: Iterable[str] = ()) -> None:
        """Refuse inline secrets first (with the hint that says what to do), then unknown keys."""
        known = frozenset(known)
        self.refuse_secrets(known, secret_words=secret_words)
        unknown = sorted(set(self.data) - known)
        if unknown:
            raise self.error(unknown[0], f"unknown key (known: {', '.join(sorted(known))})")

    def has(self, key: str) -> bool:
        return key in self.data

    # -- scalars ---------------------------------------------------------------------
    def raw(self, key: str, default: object) -> Any:
        value = self.data.get(key, default)
        if value is REQUIRED:
            raise self.error(key, "is required")
        return value

    def text(self, key: str, default: str | _Required = REQUIRED, *, max_len: int = MAX_TEXT, empty: bool = False) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {toml_type(value)}")
        if not empty and not value.strip():
            raise self.error(key, "must not be empty")
        if len(value) > max_len:
            raise self.error(key, f"is {len(value)} characters long (at most {max_len})")
        if has_control_characters(value):
            raise self.error(key, "must not hold control characters (newlines, tabs, NUL, …)")
        return value

    def slug(self, key: str, default: str | _Required = REQUIRED) -> str:
        value = self.text(key, default)
        if not SLUG_RE.match(value):
            raise self.error(key, f"{value!r} must be a slug: a letter or digit, then up to 63 of A-Z a-z 0-9 _ -")
        return value

    def choice(self, key: str, choices: Iterable[str], default: str | _Required = REQUIRED) -> str:
        choices = tuple(choices)
        value = self.text(key, default)
        if value not in choices:
            raise self.error(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def integer(self, key: str, default: int | _Required = REQUIRED, *, low: int, high: int) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be an integer, not {toml_type(value)}")
        if not low <= value <= high:
            raise self.error(key, f"{value} is outside {low}..{high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {toml_type(value)}")
        return value

    def env_name(self, key: str) -> str:
        """The name of an environment variable. A value that is not one may be the
        secret itself, so the message never repeats it."""
        value = self.raw(key, REQUIRED)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string naming an environment variable, not {toml_type(value)}")
        if not _ENV_NAME.match(value):
            raise self.error(
                key,
                "must name an environment variable (letters, digits and _, like SHOP_TOKEN); "
                "this does not look like one. Never put the secret itself in the file.",
            )
        return value

    # -- structures --------------------------------------------------------------------
    def strings(self, key: str, *, max_items: int = 500, max_len: int = 500, slugs: bool = False) -> tuple[str, ...]:
        """A non-empty array of non-empty strings (a single string is taken as a list of one)."""
        value = self.raw(key, REQUIRED)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.error(key, f"must be an array of strings, not {toml_type(value)}")
        if not value:
            raise self.error(key, "must not be empty")
        if len(value) > max_items:
            raise self.error(key, f"has {len(value)} items (at most {max_items})")
        out = []
        for i, item in enumerate(value):
            item_table = Table(self.origin, self.at, {f"{key}[{i}]": item})
            text = item_table.slug(f"{key}[{i}]") if slugs else item_table.text(f"{key}[{i}]", max_len=max_len)
            out.append(text)
        return tuple(out)

    def sub(self, key: str) -> Table | None:
        """The inline table at ``key``, None when absent."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table ({key} = {{ … }}), not {toml_type(value)}")
        return Table(self.origin, self.where(key), value)


def entries(origin: str, document: Mapping[str, Any], name: str, *, max_items: int = 10_000) -> list[Table] | None:
    """The ``[[name]]`` array of tables; None when the file has no such table."""
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise ConfigFileError(origin, name, f"must be an array of tables ([[{name}]]), not {toml_type(value)}")
    if len(value) > max_items:
        raise ConfigFileError(origin, name, f"has {len(value)} entries (at most {max_items})")
    tables = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ConfigFileError(origin, f"{name}[{i}]", f"must be a table ([[{name}]]), not {toml_type(item)}")
        tables.append(Table(origin, f"{name}[{i}]", item))
    return tables
