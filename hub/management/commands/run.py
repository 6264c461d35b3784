from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hub.attention.worker import Escalator
from hub.intake.poller import Poller
from hub.metrics.snapshot import SnapshotWorker
from hub.monitor.worker import Monitor, make_monitor_link
from hub.notify.sender import Sender
from hub.outbox.publisher import Publisher, make_link
from hub.stats.worker import StatsWorker
from hub.workers import run_threads, stop_on_signals


class Command(BaseCommand):
    help = "Run the hub's workers together: the poller, the outbox publisher, the escalator, the health monitor, the notification sender, the statistics and /metrics' counts."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = stop_on_signals()
        publisher = Publisher(make_link(), settings.MQTT_BASE_TOPIC)
        escalator = Escalator(settings.MQTT_BASE_TOPIC)
        monitor = Monitor(make_monitor_link(), settings.MQTT_BASE_TOPIC)
        workers: dict[str, Callable[[threading.Event], None]] = {
            "poller": Poller().run, "publisher": lambda stop: publisher.run(stop, settings.OUTBOX_POLL_S),
            "escalator": escalator.run, "monitor": monitor.run,
            "notifier": Sender().run,
            "stats": StatsWorker().run,
            "metrics": SnapshotWorker().run,  # /metrics' counts of the large tables, once a minute
        }
        run_threads(workers, stop)
