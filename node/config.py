"""The node's settings, read strictly from one TOML file.

The format (the hub writes files like this for demos and end-to-end tests)::

    id = "spk-orders-1"                 # required, a slug
    broker = "mqtt://127.0.0.1:1883"    # required, see mqtt.BrokerSettings.from_url
    base_topic = "shopcrier"            # optional
    data_dir = "/var/lib/shopcrier"     # optional; relative to this file's directory
    volume = 80                         # optional, 0..100
    heartbeat_interval = 30             # optional, seconds 5..3600
    audio_device = ""                   # optional: device name or index; "" = default
    voices_dir = ""                     # optional: extra piper voices; "" = bundled only
    cache_mb = 64                       # optional: synthesised-audio cache on disk, MB 0..4096 (0 = off)
    language = "zh"                     # optional: the language of the node's own prompts
    link_down_after = 30                # optional: seconds without the broker before saying so, 1..3600
    link_down_repeat = 300              # optional: say it again every this many seconds, 5..86400
    greet = false                       # optional: say "connected, serving …" after starting (images: true)
    [[routes]]                          # 0..n initial announce routes
    subsystem = "ops"
    department = "orders"
    staff = "003"                       # optional

Anything else (an unknown key, a wrong type, a value out of range, malformed
TOML) raises :class:`ConfigError` naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from mqtt import DEFAULT_BASE, BrokerSettings, BrokerURLError, PayloadError, Route
from mqtt.fields import LANG_RE, SLUG_RE
from mqtt.topics import check_base

DEFAULT_PATH = Path("/etc/shopcrier/node.toml")
DEFAULT_DATA_DIR = Path("/var/lib/shopcrier")
DEFAULT_VOLUME = 80
DEFAULT_HEARTBEAT_INTERVAL = 30
DEFAULT_CACHE_MB = 64
DEFAULT_LANGUAGE = "zh"
DEFAULT_LINK_DOWN_AFTER = 30
DEFAULT_LINK_DOWN_REPEAT = 300

_ROUTE_KEYS = frozenset({"subsystem", "department", "staff"})
_TOML_LINE = re.compile(r"at line (\d+)")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""

    def __init__(self, path: Path, key: str | None, reason: str) -> None:
        where = f"{path}: {key}" if key else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class NodeSettings:
    """One speaker node's settings.

    ``volume`` 0..100 (linear amplitude); ``heartbeat_interval`` seconds;
    ``audio_device`` a sounddevice device name or index, None for the system
    default; ``voices_dir`` a directory of extra piper voices, None for the
    bundled one only; ``routes`` the announce routes followed until the hub's
    retained config arrives (``announce/all`` is always followed);
    ``cache_mb`` the size bound of the synthesised-audio cache (0: no cache);
    ``language`` the language of the node's own prompts (link lost, identify, greeting);
    ``link_down_after``/``link_down_repeat`` seconds: when the broker has been
    unreachable that long the node says so, and repeats it that often;
    ``greet``: once connected, say so and which departments it serves.
    """

    id: str
    broker: BrokerSettings
    base_topic: str = DEFAULT_BASE
    data_dir: Path = DEFAULT_DATA_DIR
    volume: int = DEFAULT_VOLUME
    heartbeat_interval: int = DEFAULT_HEARTBEAT_INTERVAL
    audio_device: str | int | None = None
    voices_dir: Path | None = None
    routes: tuple[Route, ...] = ()
    cache_mb: int = DEFAULT_CACHE_MB
    language: str = DEFAULT_LANGUAGE
    link_down_after: int = DEFAULT_LINK_DOWN_AFTER
    link_down_repeat: int = DEFAULT_LINK_DOWN_REPEAT
    greet: bool = False


_KEYS = frozenset(f.name for f in fields(NodeSettings))  # the file's keys are the settings' names


def load(path: Path | str) -> NodeSettings:
    """Read and check ``path``; raises :class:`ConfigError` on any problem."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "is not UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"not valid TOML: {_describe_toml_error(exc, text)}") from None
    return _Reader(path, data).settings()


def _describe_toml_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message, plus the offending line: it shows the key that broke."""
    match = _TOML_LINE.search(str(exc))
    if not match:
        return str(exc)
    lines = text.splitlines()
    number = int(match.group(1))
    if not 1 <= number <= len(lines):
        return str(exc)
    return f"{exc}: {lines[number - 1].strip()!r}"


class _Reader:
    """Takes typed values out of the parsed TOML, naming the key on error."""

    def __init__(self, path: Path, data: Mapping[str, Any]) -> None:
        self.path = path
        self.data = data

    def error(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.path, key, reason)

    def settings(self) -> NodeSettings:
        self.refuse_unknown(self.data, _KEYS, prefix="")
        return NodeSettings(
            id=self.slug("id"),
            broker=self.broker("broker"),
            base_topic=self.base_topic("base_topic"),
            data_dir=self.directory("data_dir", must_exist=False) or DEFAULT_DATA_DIR,
            volume=self.integer("volume", DEFAULT_VOLUME, low=0, high=100),
            heartbeat_interval=self.integer("heartbeat_interval", DEFAULT_HEARTBEAT_INTERVAL, low=5, high=3600),
            audio_device=self.audio_device("audio_device"),
            voices_dir=self.directory("voices_dir", must_exist=True),
            routes=self.routes("routes"),
            cache_mb=self.integer("cache_mb", DEFAULT_CACHE_MB, low=0, high=4096),
            language=self.language("language"),
            link_down_after=self.integer("link_down_after", DEFAULT_LINK_DOWN_AFTER, low=1, high=3600),
            link_down_repeat=self.integer("link_down_repeat", DEFAULT_LINK_DOWN_REPEAT, low=5, high=86400),
            greet=self.boolean("greet", False),
        )

    def refuse_unknown(self, table: Mapping[str, Any], known: frozenset[str], prefix: str) -> None:
        unknown = sorted(set(table) - known)
        if unknown:
            raise self.error(prefix + unknown[0], f"unknown key (known: {', '.join(sorted(known))})")

    # -- scalars -------------------------------------------------------------
    def text(self, key: str, default: str | None) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self.error(key, "is required")
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {_toml_type(value)}")
        return value

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be an integer, not {_toml_type(value)}")
        if not low <= value <= high:
            raise self.error(key, f"{value} is outside {low}..{high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {_toml_type(value)}")
        return value

    def slug(self, key: str) -> str:
        value = self.text(key, None)
        if not SLUG_RE.match(value):
            raise self.error(key, f"{value!r} must be a slug: a letter or digit, then up to 63 of A-Z a-z 0-9 _ -")
        return value

    def language(self, key: str) -> str:
        value = self.text(key, DEFAULT_LANGUAGE)
        if not LANG_RE.match(value):
            raise self.error(key, f"{value!r} is not a language code such as zh or en-GB")
        return value

    def broker(self, key: str) -> BrokerSettings:
        try:
            return BrokerSettings.from_url(self.text(key, None))
        except BrokerURLError as exc:
            raise self.error(key, str(exc)) from None

    def base_topic(self, key: str) -> str:
        value = self.text(key, DEFAULT_BASE)
        try:
            return check_base(value)
        except PayloadError as exc:
            raise self.error(key, exc.reason) from None

    def directory(self, key: str, *, must_exist: bool) -> Path | None:
        """A path, None when absent or ""; relative paths resolve against the file's directory."""
        value = self.text(key, "")
        if not value:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = (self.path.parent / path).resolve()
        if must_exist and not path.is_dir():
            raise self.error(key, f"{str(path)!r} is not a directory")
        return path

    def audio_device(self, key: str) -> str | int | None:
        value = self.data.get(key, "")
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(key, f"must be a device name (string) or index (integer), not {_toml_type(value)}")
        if isinstance(value, int):
            if value < 0:
                raise self.error(key, f"device index {value} is negative")
            return value
        value = value.strip()
        if not value:
            return None
        return int(value) if value.isascii() and value.isdigit() else value

    # -- routes ----------------------------------------------------------------
    def routes(self, key: str) -> tuple[Route, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, f"must be an array of tables ([[{key}]]), not {_toml_type(value)}")
        return tuple(self.route(f"{key}[{i}]", item) for i, item in enumerate(value))

    def route(self, key: str, table: Any) -> Route:
        if not isinstance(table, dict):
            raise self.error(key, f"must be a table, not {_toml_type(table)}")
        self.refuse_unknown(table, _ROUTE_KEYS, prefix=f"{key}.")
        fields: dict[str, str | None] = {}
        for name in ("subsystem", "department", "staff"):
            value = table.get(name)
            if value is None and name != "staff":
                raise self.error(f"{key}.{name}", "is required")
            if value is not None and (not isinstance(value, str) or not SLUG_RE.match(value)):
                raise self.error(f"{key}.{name}", f"{value!r} must be a slug (letters, digits, - and _)")
            fields[name] = value
        return Route(**fields)


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)
