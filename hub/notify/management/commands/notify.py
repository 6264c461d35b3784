from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hub.notify.sender import LEASE, Sender
from hub.workers import stop_on_signals


class Command(BaseCommand):
    help = "Send the notifications owed to chat groups, e-mail and Web Push (also part of `run`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lease", type=float, default=LEASE.total_seconds(), metavar="SECONDS",
            help="how long a claimed notification may stay unmarked before it is sent again (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        Sender(lease=timedelta(seconds=options["lease"])).run(stop_on_signals())
