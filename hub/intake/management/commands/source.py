from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.intake.interval import format_interval, parse_interval
from hub.intake.models import ADAPTERS, Source
from hub.simulator import SOURCE_PRESET


class Command(BaseCommand):
    help = "Create or update one source (the TOML loader does many at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--url", required=True)
        parser.add_argument("--adapter", default="generic", choices=[a for a, _ in ADAPTERS])
        parser.add_argument("--interval", default="5s", help="5s, 2m, 1h")

    def handle(self, *args: Any, name: str, url: str, adapter: str, interval: str, **options: Any) -> None:
        try:
            seconds = parse_interval(interval)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        defaults: dict[str, Any] = {"url": url, "adapter": adapter, "interval_seconds": seconds}
        if adapter == "simulator":
            defaults.update(SOURCE_PRESET)
        source, created = Source.objects.update_or_create(name=name, defaults=defaults)
        source.full_clean()
        self.stdout.write(f"{'created' if created else 'updated'} source {name}: {adapter} {url} every {format_interval(seconds)}")
