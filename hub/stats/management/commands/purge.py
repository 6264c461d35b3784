from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hub.stats.purge import purge


class Command(BaseCommand):
    help = ("Apply retention: delete raw messages (with deliveries, receipts, acknowledgements) and quarantined items "
            "older than their category keeps them, in small batches; the daily rollups stay.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would go and change nothing")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        done = purge(timezone.now(), dry_run=dry_run)
        self.stdout.write(("would remove: " if dry_run else "removed: ") + str(done))
