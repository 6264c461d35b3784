"""``shopcrier-hub serve [ADDR:PORT]``: the web side for real (daphne: pages, websockets, static files).

``--workers N`` runs N daphne processes on one port: this process starts N
copies of itself, each listening with ``SO_REUSEPORT`` (Linux hands each new
connection to one of them), forwards SIGTERM and SIGINT to them, and stops them
all if one dies. (Twisted has no parser for an inherited socket any more, so
each process binds its own.) A daphne process uses one core
for Python; more processes use more cores (docs/performance.md). Every web
process answers the same (the database is the truth; the live feed crosses
processes through the channel layer).
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

log = logging.getLogger(__name__)

DEFAULT = "127.0.0.1:8000"
MAX_WORKERS = 64
BACKLOG = 1024


def parse_address(text: str) -> tuple[str, int]:
    """``ADDR:PORT``, ``PORT`` or ``[::1]:PORT``; raises CommandError naming what is wrong."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{text!r} is not ADDR:PORT (for example 0.0.0.0:8000)")
    return host, int(port)


class Command(BaseCommand):
    help = "Serve the dashboard, the admin, the API and webhooks with daphne (static files included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default=DEFAULT, help=f"ADDR:PORT to listen on (default {DEFAULT})")
        parser.add_argument("--no-collectstatic", action="store_true", help="serve static files as already collected")
        parser.add_argument("--workers", type=int, default=1,
                            help="daphne processes sharing the port (default 1; about one per core)")
        parser.add_argument("--reuse-port", action="store_true", help="(internal) one of --workers' processes")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = parse_address(options["address"])
        workers = options["workers"]
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(f"--workers must be 1..{MAX_WORKERS}, got {workers}")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        scheme = "https" if settings.TLS else "http"
        from daphne.endpoints import build_endpoint_description_strings

        endpoints = build_endpoint_description_strings(host=host, port=port)
        if options["reuse_port"]:
            listen_with_reuse_port()
        elif workers > 1:
            self.stdout.write(f"ShopCrier web on {scheme}://{host}:{port}/, {workers} processes "
                              f"(allowed hosts: {', '.join(settings.ALLOWED_HOSTS)})")
            self.stdout.flush()
            release_connections()  # the workers serve; this process only watches them
            sys.exit(supervise(workers, options["address"]))
        else:
            self.stdout.write(f"ShopCrier web on {scheme}://{host}:{port}/ (allowed hosts: {', '.join(settings.ALLOWED_HOSTS)})")
            self.stdout.flush()
        self.serve(endpoints)

    def serve(self, endpoints: list[str]) -> None:
        from daphne.server import Server

        from hub.asgi import application

        Server(
            application,
            endpoints=endpoints,
            proxy_forwarded_address_header="X-Forwarded-For" if settings.TLS else None,
            proxy_forwarded_port_header="X-Forwarded-Port" if settings.TLS else None,
            proxy_forwarded_proto_header="X-Forwarded-Proto" if settings.TLS else None,
            verbosity=0,
        ).run()


def release_connections() -> None:
    """Close this process's database connections and pools (a pool keeps one open otherwise)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


def listen_with_reuse_port() -> None:
    """Make this process's TCP listening sockets share their port with the other workers'."""
    from twisted.internet import tcp

    create = tcp.Port.createInternetSocket

    def with_reuse_port(port: tcp.Port) -> socket.socket:
        made: socket.socket = create(port)  # type: ignore[no-untyped-call]
        made.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        return made

    tcp.Port.createInternetSocket = with_reuse_port  # type: ignore[method-assign]


def supervise(workers: int, address: str) -> int:
    """Run ``workers`` copies of ``serve --reuse-port`` until SIGTERM/SIGINT (then 0) or until
    one of them exits (then the others are stopped too, and 1)."""
    command = [sys.executable, "-m", "hub.manage", "serve", address, "--no-collectstatic", "--reuse-port"]
    children = [subprocess.Popen(command) for _ in range(workers)]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    if stopping:
        return 0
    died = [c.pid for c in children if c.returncode not in (0, -signal.SIGTERM)]
    log.error("a web process exited (pids %s); stopped the others", died or [c.pid for c in children])
    return 1
