"""Broker settings from one URL: ``mqtt://user:pass@host:1883`` or ``mqtts://…``.

Query parameters: ``ca`` (a CA file for TLS), ``keepalive`` (seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_URL = "mqtt://127.0.0.1:1883"


class BrokerURLError(ValueError):
    pass


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    keepalive: int = 30

    def __repr__(self) -> str:  # never print the password
        return f"BrokerSettings({self.safe_url})"

    @property
    def safe_url(self) -> str:
        """The URL as a person may read it: the user name, never the password."""
        auth = f"{self.username}:***@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{auth}{self.host}:{self.port}"

    __str__ = __repr__

    @classmethod
    def from_url(cls, url: str) -> BrokerSettings:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            # Neither the URL nor urllib's reason goes in the message: both can hold the
            # password (an unencoded "#" or "/" in it makes part of it the "port").
            raise BrokerURLError(
                "broker URL has a malformed host or port (percent-encode @ : / ? # in the user and password)"
            ) from None
        if parts.scheme not in ("mqtt", "mqtts"):
            raise BrokerURLError(f"broker URL must start with mqtt:// or mqtts://, got {parts.scheme or 'nothing'!r}")
        if not parts.hostname:
            raise BrokerURLError("broker URL has no host")
        if parts.path not in ("", "/"):
            raise BrokerURLError(f"broker URL takes no path, got {parts.path!r}")
        query = parse_qs(parts.query, strict_parsing=False)
        unknown = set(query) - {"ca", "keepalive"}
        if unknown:
            raise BrokerURLError(f"broker URL has unknown parameters: {', '.join(sorted(unknown))}")
        keepalive = query.get("keepalive", ["30"])[-1]
        if not (keepalive.isascii() and keepalive.isdigit()) or not 5 <= int(keepalive) <= 3600:
            raise BrokerURLError(f"broker URL keepalive must be 5..3600 seconds, got {keepalive!r}")
        if port == 0:
            raise BrokerURLError("broker URL port must be 1..65535, got 0")
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname,
            port=port if port is not None else (8883 if tls else 1883),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            ca_file=query.get("ca", [None])[-1],
            keepalive=int(keepalive),
        )
