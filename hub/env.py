"""The hub's settings from the environment, read in one place and strictly.

Every reader refuses a malformed value with :class:`EnvError` naming the
variable; nothing falls back silently. ``settings.py`` is the only caller.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mqtt import BrokerSettings, BrokerURLError
from mqtt.topics import check_base
from mqtt.errors import PayloadError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ValueError):
    pass


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def seconds(name: str, default: float) -> float:
    """A positive number of seconds (``0.2``, ``5``)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise EnvError(f"{name}={raw!r}: expected seconds, a number above 0 and at most 3600")
    return value


def text(name: str, default: str) -> str:
    return os.environ.get(name, default)


def words(name: str, default: str) -> list[str]:
    return [w.strip() for w in os.environ.get(name, default).split(",") if w.strip()]


def data_dir() -> Path:
    path = Path(os.environ.get("SHOPCRIER_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(data: Path) -> str:
    """``SHOPCRIER_SECRET_KEY``, else one generated into the data dir on first run."""
    key = os.environ.get("SHOPCRIER_SECRET_KEY")
    if key is not None:
        if len(key) < 32:
            raise EnvError("SHOPCRIER_SECRET_KEY must be at least 32 characters")
        return key
    return generated_secret(data / "secret_key", 50)


def generated_secret(path: Path, nbytes: int) -> str:
    """The secret in ``path``, generated there (mode 0600) the first time it is asked for."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


_web = False


def mark_web_process() -> None:
    """Called by ``hub.asgi`` before it loads the settings: this process serves the web side."""
    global _web
    _web = True


def serves_web() -> bool:
    """True in a process serving the web side: ``shopcrier-hub serve``, or an ASGI server
    (daphne, uvicorn) that imported ``hub.asgi`` before anything loaded the settings."""
    return _web or sys.argv[1:2] == ["serve"]


def pool_size() -> int:
    """``SHOPCRIER_DB_POOL_SIZE``: the most PostgreSQL connections one web process holds (default 8)."""
    raw = os.environ.get("SHOPCRIER_DB_POOL_SIZE", "8").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise EnvError(f"SHOPCRIER_DB_POOL_SIZE={raw!r}: expected a whole number from 1 to 100")
    return int(raw)


def database(data: Path, web: bool = False) -> dict[str, Any]:
    """``DATABASE_URL``: ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or
    ``postgres://user:pass@host:port/name``; default SQLite in the data dir.

    PostgreSQL connections are bounded in every process. A web process
    (``web``) draws them from a pool of at most :func:`pool_size` (under ASGI
    each request runs in a thread of its own, and persistent connections
    pile up one per thread); a request waits up to 10 s for one. Worker
    processes keep one persistent connection per worker thread (a handful):
    the poller's advisory locks live as long as its connection, which a pool
    would hand to another thread. On SQLite every process, web or worker,
    takes the same writer's turn (:mod:`hub.sqlite_fair`)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return _sqlite(data / "hub.sqlite3")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not parts.path.lstrip("/"):
            raise EnvError(f"DATABASE_URL={url!r}: no database file")
        return _sqlite(Path(parts.path[1:]).resolve())
    if parts.scheme in ("postgres", "postgresql"):
        name = parts.path.lstrip("/")
        if not name:
            raise EnvError("DATABASE_URL: no database name")
        try:
            port = parts.port
        except ValueError as exc:
            raise EnvError(f"DATABASE_URL: {exc}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(name),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            # Workers: kept open, the poller's advisory locks live as long as its connection.
            "CONN_MAX_AGE": 0 if web else None,
            "CONN_HEALTH_CHECKS": not web,
            # pg_stat_activity shows which hub process holds which connection (and lock)
            "OPTIONS": {"application_name": f"shopcrier-{'web' if web else 'hub'}-{os.getpid()}",
                        **({"pool": {"min_size": 1, "max_size": pool_size(), "timeout": 10}} if web else {})},
        }
    raise EnvError(f"DATABASE_URL scheme {parts.scheme!r} is not sqlite or postgres")


def _sqlite(path: Path) -> dict[str, Any]:
    return {
        # every process's writers take their turns in order, within and across
        # processes, instead of racing in SQLite's busy handler (hub/sqlite_fair)
        "ENGINE": "hub.sqlite_fair",
        "NAME": str(path),
        "OPTIONS": {
            # Workers write from several threads and processes: WAL lets readers
            # run beside the writer, IMMEDIATE takes the write lock up front so a
            # transaction never fails half-way on a lock upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


# The hub's broker account when SHOPCRIER_MQTT_URL names no user: its password is
# generated into the data dir by `shopcrier-hub fleet broker-config` (hub/fleet/accounts.py).
HUB_MQTT_USER = "shopcrier-hub"
HUB_MQTT_PASSWORD_FILE = "mqtt-hub.password"


def broker(data: Path | None = None) -> BrokerSettings:
    """``SHOPCRIER_MQTT_URL``; without a user in it, the generated hub account when there is one."""
    url = os.environ.get("SHOPCRIER_MQTT_URL", "mqtt://127.0.0.1:1883")
    try:
        settings = BrokerSettings.from_url(url)
    except BrokerURLError as exc:
        raise EnvError(f"SHOPCRIER_MQTT_URL: {exc}") from None
    generated = data / HUB_MQTT_PASSWORD_FILE if data else None
    if settings.username is None and generated is not None and generated.exists():
        return replace(settings, username=HUB_MQTT_USER, password=generated.read_text().strip())
    return settings


def optional_path(name: str) -> Path | None:
    raw = os.environ.get(name, "")
    return Path(raw).expanduser().resolve() if raw.strip() else None


def base_topic() -> str:
    base = os.environ.get("SHOPCRIER_BASE_TOPIC", "shopcrier")
    try:
        return check_base(base)
    except PayloadError as exc:
        raise EnvError(f"SHOPCRIER_BASE_TOPIC: {exc.reason}") from None


def public_url() -> str:
    """``SHOPCRIER_PUBLIC_URL``: where speakers reach the hub's web side (prompt sounds are
    fetched from it); ``http(s)://host[:port][/prefix]``, no credentials, query or fragment.
    Default ``http://127.0.0.1:8000``, which only a speaker on the hub's own machine can reach."""
    raw = os.environ.get("SHOPCRIER_PUBLIC_URL", "http://127.0.0.1:8000").strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https"):
        raise EnvError(f"SHOPCRIER_PUBLIC_URL={raw!r}: must start with http:// or https://")
    try:
        parts.port
    except ValueError as exc:
        raise EnvError(f"SHOPCRIER_PUBLIC_URL={raw!r}: {exc}") from None
    if not parts.hostname:
        raise EnvError(f"SHOPCRIER_PUBLIC_URL={raw!r}: no host")
    if parts.username is not None or parts.password is not None:
        raise EnvError("SHOPCRIER_PUBLIC_URL: must not hold credentials (speakers fetch sounds without any)")
    if parts.query or parts.fragment:
        raise EnvError(f"SHOPCRIER_PUBLIC_URL={raw!r}: no query or fragment, only scheme, host, port and path")
    return raw.rstrip("/")


def channel_layers(redis_url: str, prefix: str = "shopcrier") -> dict[str, Any]:
    """Channels' layer: in memory for one web process; Redis (``redis://host:port/db``) for several,
    its keys under ``prefix`` (``SHOPCRIER_REDIS_PREFIX``: two hubs may share one Redis)."""
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if urlsplit(redis_url).scheme not in ("redis", "rediss"):
        raise EnvError(f"SHOPCRIER_REDIS_URL={redis_url!r}: expected redis://host:port/db")
    config = {"hosts": [redis_url], "prefix": prefix}
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": config}}


def zone(name: str, default: str) -> str:
    """An IANA time zone name from ``name`` (``Asia/Shanghai``), refused unless the system knows it."""
    import zoneinfo

    value = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise EnvError(f"{name}={value!r}: not a time zone name like Asia/Shanghai") from None
    return value
