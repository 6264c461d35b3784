from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hub.outbox.publisher import Publisher, make_link
from hub.workers import stop_on_signals


class Command(BaseCommand):
    help = "Publish the outbox at QoS 1 (marking each delivery sent on PUBACK) and record speakers' receipts."

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        Publisher(make_link(), settings.MQTT_BASE_TOPIC).run(stop_on_signals(), settings.OUTBOX_POLL_S)
