"""Times PostgreSQL keeps but Python cannot read, read as the nearest time Python can show.

PostgreSQL stores instants from 4713 BC to 294276 AD; Python's datetime holds
years 1..9999. A row holding a time outside that (written by hand, or before
hub.storable refused such values) made psycopg raise on every query that read
it, so an admin page listing it answered 500 until the row was deleted by
hand. On each new connection the hub wraps the connection's time loaders:
such a time is read as :data:`hub.storable.EARLIEST` or
:data:`hub.storable.LATEST` (a day inside the calendar, so it shows in any time
zone), with a warning naming the stored value.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from typing import Any

import psycopg
from psycopg.adapt import Buffer, Loader
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzBinaryLoader, TimestamptzLoader

from hub.storable import EARLIEST, LATEST

log = logging.getLogger(__name__)

TYPES = ("timestamptz", "timestamp")


def _edge(exc: psycopg.DataError, aware: bool, zone: tzinfo | None) -> datetime:
    edge = LATEST if "large" in str(exc) else EARLIEST
    log.warning("read a stored time Python cannot hold (%s) as %s", exc, edge.isoformat())
    if not aware or zone is None:
        return edge.replace(tzinfo=None)
    return edge.astimezone(zone)


def clamped(base: type[Loader], aware: bool) -> type[Loader]:
    """A loader that reads as ``base`` does, and an out-of-range time as the nearest readable one.

    It wraps ``base`` rather than subclassing it (psycopg's C loaders cannot be
    subclassed), and carries its ``timezone`` (Django compares it per cursor).
    """
    zone: tzinfo | None = getattr(base, "timezone", UTC if aware else None)

    class Clamped(Loader):
        format = base.format

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._inner = base(oid, context)

        def load(self, data: Buffer) -> Any:
            try:
                return self._inner.load(data)
            except psycopg.DataError as exc:
                return _edge(exc, aware, zone)

    Clamped.timezone = zone  # type: ignore[attr-defined]
    Clamped.__name__ = f"Clamped{base.__name__}"
    return Clamped


def clamp_unreadable_times(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """``connection_created`` receiver: wrap a PostgreSQL connection's time loaders (once)."""
    if connection is None or connection.vendor != "postgresql":
        return
    adapters = connection.connection.adapters
    for name in TYPES:
        oid = adapters.types[name].oid
        for fmt in (Format.TEXT, Format.BINARY):
            base = adapters.get_loader(oid, fmt)
            if base is None or base.__name__.startswith("Clamped"):
                continue
            aware = issubclass(base, (TimestamptzLoader, TimestamptzBinaryLoader))
            adapters.register_loader(oid, clamped(base, aware))
