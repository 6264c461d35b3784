from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hub.attention.worker import Escalator
from hub.workers import stop_on_signals


class Command(BaseCommand):
    help = "Announce unacknowledged messages again as their category's escalation policy says, then escalate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="write what is due now and exit")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        escalator = Escalator(settings.MQTT_BASE_TOPIC)
        if once:
            self.stdout.write(f"{escalator.step(timezone.now())} round(s) written")
            return
        escalator.run(stop_on_signals())
