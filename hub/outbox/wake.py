"""Waking the outbox publisher the moment a delivery is committed.

The publisher's poll (every 0.2 s) stays the fallback; a wake only makes it
look at once. Three paths, all best effort (a lost wake costs one poll):

- **In the same process** (the poller, escalator and monitor threads of
  ``shopcrier-hub run``): :func:`soon` registers :func:`transaction.on_commit`
  to set :data:`LOCAL`, the event the publisher waits on.
- **Across processes on PostgreSQL** (a web process taking webhooks, several
  ``run`` processes): :func:`soon` also sends ``NOTIFY shopcrier_outbox`` in
  the writing transaction; PostgreSQL delivers it only if that transaction
  commits. :class:`Listener` holds a connection of its own that ``LISTEN``\\ s.
- **Across processes on SQLite** (one machine): a datagram to a Unix socket
  in Linux's abstract namespace, named after the data directory, sent after
  the commit; the publisher's :class:`Listener` is bound to it. Only one
  process can bind it: a second publisher on the same SQLite file polls.

``SHOPCRIER_OUTBOX_WAKE=0`` turns the cross-process paths off (the benchmark's
poll-only baseline); the in-process event stays.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

log = logging.getLogger(__name__)

CHANNEL = "shopcrier_outbox"
LOCAL = threading.Event()  # set when a delivery written in this process commits


def enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "OUTBOX_WAKE", True))


def soon(using: str | None = None) -> None:
    """Deliveries were just written in the current transaction (or autocommit): wake the
    publisher once it commits. Nothing happens if it rolls back."""
    conn = connection if using is None else transaction.get_connection(using)
    if conn.vendor == "postgresql" and enabled():
        with conn.cursor() as cursor:  # transactional: delivered at commit, dropped on rollback
            cursor.execute(f"NOTIFY {CHANNEL}")
    transaction.on_commit(_committed, using=using)


def _committed() -> None:
    LOCAL.set()
    if connection.vendor != "postgresql" and enabled():
        _nudge_socket()


def socket_name() -> bytes:
    """The abstract Unix socket of the SQLite hub whose data directory this process uses."""
    from django.conf import settings

    digest = hashlib.sha256(str(settings.DATABASES["default"]["NAME"]).encode()).hexdigest()[:24]
    return b"\0shopcrier-outbox-" + digest.encode()


def _nudge_socket() -> None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.setblocking(False)
            s.sendto(b"!", socket_name())
    except OSError:  # no publisher listening, or its queue full: the poll finds the rows
        pass


class Listener:
    """A thread that sets ``event`` whenever another process commits deliveries.

    :meth:`start` returns False (and the publisher simply polls) when the
    cross-process wake is off or cannot be set up.
    """

    def __init__(self, event: threading.Event, stop: threading.Event) -> None:
        self.event = event
        self.stop = stop
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        if not enabled():
            log.info("cross-process outbox wake is off (SHOPCRIER_OUTBOX_WAKE=0): polling only")
            return False
        listen: Callable[[], None]
        if connection.vendor == "postgresql":
            listen = self._listen_postgres
        else:
            sock = self._bind()
            if sock is None:
                return False
            listen = lambda: self._listen_socket(sock)  # noqa: E731
        self._thread = threading.Thread(target=self._forever, args=(listen,), name="outbox-wake", daemon=True)
        self._thread.start()
        return True

    def _forever(self, listen: Callable[[], None]) -> None:
        while not self.stop.is_set():
            try:
                listen()
            except Exception as exc:  # a dropped connection: listen again after a pause, poll meanwhile
                log.warning("outbox wake listener failed (%s: %s); retrying in 1 s", type(exc).__name__, exc)
                self.stop.wait(1.0)

    def _bind(self) -> socket.socket | None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(socket_name())
        except OSError as exc:
            sock.close()
            log.warning("outbox wake socket taken (%s): another publisher uses this database; polling", exc)
            return None
        sock.settimeout(0.5)
        return sock

    def _listen_socket(self, sock: socket.socket) -> None:
        try:
            while not self.stop.is_set():
                try:
                    sock.recv(64)
                except TimeoutError:
                    continue
                self.event.set()
        finally:
            sock.close()

    def _listen_postgres(self) -> None:
        import psycopg

        params: dict[str, Any] = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        params["application_name"] = f"{params.get('application_name', 'shopcrier-hub')}-wake"
        with psycopg.connect(**params, autocommit=True) as pg:
            pg.execute(f"LISTEN {CHANNEL}")
            self.event.set()  # anything committed while not listening
            while not self.stop.is_set():
                for _ in pg.notifies(timeout=0.5):
                    self.event.set()
