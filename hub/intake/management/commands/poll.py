from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hub.intake.models import Source
from hub.intake.poller import Poller
from hub.workers import stop_on_signals


class Command(BaseCommand):
    help = "Poll every enabled source on its interval (or each once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="poll each source once and exit")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        poller = Poller()
        if once:
            for source in Source.objects.filter(enabled=True):
                result = poller.poll_source(source)
                status = f"error: {result.error}" if result.error else "ok"
                self.stdout.write(
                    f"{source.name}: {result.new} new, {result.duplicates} repeated, {result.rejected} quarantined, {status}"
                )
            return
        poller.run(stop_on_signals())
