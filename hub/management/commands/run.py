from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hub.attention.worker import Escalator
from hub.intake.poller import Poller
from hub.outbox.publisher import Publisher, make_link
from hub.workers import run_threads, stop_on_signals


class Command(BaseCommand):
    help = "Run the hub's workers together: the poller, the outbox publisher and the escalator."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = stop_on_signals()
        publisher = Publisher(make_link(), settings.MQTT_BASE_TOPIC)
        escalator = Escalator(settings.MQTT_BASE_TOPIC)
        run_threads({"poller": Poller().run, "publisher": publisher.run, "escalator": escalator.run}, stop)
