from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hub.monitor.worker import Monitor, make_monitor_link
from hub.workers import stop_on_signals


class Command(BaseCommand):
    help = "Watch speakers (heartbeats, statuses), platform sources and the broker link; open and resolve alerts."

    def handle(self, *args: Any, **options: Any) -> None:
        Monitor(make_monitor_link(), settings.MQTT_BASE_TOPIC).run(stop_on_signals())
