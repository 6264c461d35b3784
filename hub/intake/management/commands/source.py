from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.intake.interval import format_interval, parse_interval
from hub.intake.models import ADAPTERS, Source
from hub.simulator import SOURCE_PRESET


class Command(BaseCommand):
    help = "Create or update one source (`load FILE.toml` does many at once)."

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
        source = Source.objects.filter(name=name).first() or Source(name=name)
        created = source.pk is None
        source.url, source.adapter, source.interval_seconds = url, adapter, seconds
        if adapter == "simulator":
            for key, value in SOURCE_PRESET.items():
                setattr(source, key, value)
        try:
            source.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())) from None
        source.save()
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} source {name}: {adapter} {url} every {format_interval(seconds)}")
