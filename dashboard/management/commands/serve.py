"""``shopcrier-hub serve [ADDR:PORT]``: the web side for real (daphne: pages, websockets, static files)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

log = logging.getLogger(__name__)

DEFAULT = "127.0.0.1:8000"


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

    def handle(self, *args: Any, **options: Any) -> None:
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        host, port = parse_address(options["address"])
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        from hub.asgi import application

        scheme = "https" if settings.TLS else "http"
        self.stdout.write(f"ShopCrier web on {scheme}://{host}:{port}/ (allowed hosts: {', '.join(settings.ALLOWED_HOSTS)})")
        self.stdout.flush()
        Server(
            application,
            endpoints=build_endpoint_description_strings(host=host, port=port),
            proxy_forwarded_address_header="X-Forwarded-For" if settings.TLS else None,
            proxy_forwarded_port_header="X-Forwarded-Port" if settings.TLS else None,
            proxy_forwarded_proto_header="X-Forwarded-Proto" if settings.TLS else None,
            verbosity=0,
        ).run()
