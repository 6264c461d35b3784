from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.confio.errors import ApplyError, ConfigFileError
from hub.confio.load import apply_config
from hub.confio.parse import read_config

# exit status: 2 the file is refused, 1 the database cannot take it (nothing written either way)
EXIT_BAD_FILE = 2
EXIT_NOT_APPLIED = 1


class Command(BaseCommand):
    help = (
        "Load a configuration file (TOML, the shape `dump` writes) in one transaction. "
        "Loading the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--prune",
            action="store_true",
            help="delete rows of the file's tables that the file does not name (default: keep and list them)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, then roll back")

    def handle(self, *args: Any, file: Path, prune: bool, dry_run: bool, **options: Any) -> None:
        try:
            report = apply_config(read_config(file), prune=prune, dry_run=dry_run)
        except ConfigFileError as exc:
            raise CommandError(f"{exc}\nnothing was loaded", returncode=EXIT_BAD_FILE) from None
        except ApplyError as exc:
            raise CommandError(f"{file}: {exc}\nnothing was loaded", returncode=EXIT_NOT_APPLIED) from None
        for line in report.lines():
            self.stdout.write(line)
        from django.conf import settings

        from hub.outbox.expect import unheard_routes

        for warning in unheard_routes(settings.MQTT_BASE_TOPIC):
            self.stderr.write(f"warning: {warning}")
