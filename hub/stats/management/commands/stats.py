from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hub.stats.fill import fill


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r}: expected a day like 2026-11-30") from None


class Command(BaseCommand):
    help = "Statistics: `stats fill` brings the rollups up to now (idempotent, resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        filling = sub.add_parser("fill", help="apply the changes noted since the last round (the first run: every day from scratch)")
        filling.add_argument("--since", type=str,
                             help="recompute from this day (YYYY-MM-DD) from scratch, a repair; purged days are kept as they are")

    def handle(self, *args: Any, action: str, since: str | None = None, **options: Any) -> None:
        verbose = int(options.get("verbosity", 1)) >= 2
        written = fill(timezone.now(), since=day(since) if since else None,
                       on_day=(lambda d: self.stdout.write(f"day {d} written")) if verbose else None)
        self.stdout.write(f"filled {written} day(s) from scratch" if written else "applied the changes since the last round")
