"""The hub's figures for Prometheus, read from the database at each scrape.

Every web process gives the same answer (the database is the truth), so a
scrape may reach any of them. Names, all prefixed ``shopcrier_``:

- ``messages{source,category}``: messages stored (a gauge: purging lowers it);
- ``deliveries{state}``: speaker deliveries by outbox state;
- ``receipts{status}``: speakers' receipts (played, failed, expired);
- ``counts_age_seconds``: how old the three counts above are: they read every row, so they
  are counted once a minute, not at each scrape (:mod:`hub.metrics.snapshot`);
- ``speakers{state}``: speakers by health state (up, late, down, unknown);
- ``outbox_depth`` and ``outbox_oldest_age_seconds``: deliveries still owed to the broker;
- ``notifications_pending``: notifications (chat, e-mail, Web Push) still owed (the ones being sent
  right now as of the minute's counts);
- ``source_poll_failures{source}``: failed polls in a row per source;
- ``alerts_open{kind}``: open alerts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from django.db.models import Count, Min
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from hub.intake.models import Source
from hub.monitor.models import MONITOR_SOURCE, Alert, NodeHealth
from hub.notify.models import Notification
from hub.outbox.models import Delivery, Receipt

from . import snapshot


class HubCollector(Collector):
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        counted = snapshot.current(now)  # the large tables, counted once a minute (hub.metrics.snapshot)
        figures = counted.figures
        messages = GaugeMetricFamily("shopcrier_messages", "Messages stored, by source and category.",
                                     labels=["source", "category"])
        for source, category, n in figures.get("messages", []):
            messages.add_metric([source, category], n)
        yield messages
        yield _by("shopcrier_deliveries", "Speaker deliveries, by outbox state.", "state",
                  figures.get("deliveries", {}).items(), Delivery.STATUSES)
        yield _by("shopcrier_receipts", "Speakers' receipts, by status.", "status",
                  figures.get("receipts", {}).items(), Receipt.STATUSES)
        age = max(0.0, (now - counted.taken_at).total_seconds()) if counted.taken_at is not None else 0.0
        yield GaugeMetricFamily("shopcrier_counts_age_seconds",
                                "Age of the counts of messages, deliveries and receipts (taken once a minute).", value=age)
        yield _by("shopcrier_speakers", "Speakers, by health state.", "state",
                  NodeHealth.objects.values_list("status").annotate(n=Count("id")).order_by(), NodeHealth.STATUSES)
        pending = Delivery.objects.filter(status=Delivery.PENDING).aggregate(n=Count("id"), oldest=Min("created_at"))
        yield GaugeMetricFamily("shopcrier_outbox_depth", "Deliveries still owed to the broker.", value=pending["n"])
        oldest = pending["oldest"]
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        yield GaugeMetricFamily("shopcrier_outbox_oldest_age_seconds",
                                "Age of the oldest delivery still owed to the broker (0 when none).", value=age)
        yield GaugeMetricFamily("shopcrier_notifications_pending", "Notifications still owed (chat, e-mail, Web Push).",
                                # pending: live, through its partial index; sending (a claim in flight, no
                                # index, rare): from the counts of the minute, not a scan at every scrape
                                value=Notification.objects.filter(status=Notification.PENDING).count()
                                + figures.get("notifications_sending", 0))
        failures = GaugeMetricFamily("shopcrier_source_poll_failures", "Failed polls in a row, per source.", labels=["source"])
        for name, count in Source.objects.exclude(name=MONITOR_SOURCE).values_list("name", "consecutive_failures"):
            failures.add_metric([name], count)
        yield failures
        yield _by("shopcrier_alerts_open", "Open alerts, by kind.", "kind",
                  Alert.objects.filter(resolved_at__isnull=True).values_list("kind").annotate(n=Count("id")).order_by(),
                  Alert.KINDS)


def _by(name: str, documentation: str, label: str, rows: object, choices: list[tuple[str, str]]) -> GaugeMetricFamily:
    """One gauge per choice, 0 for the ones with no rows (so a state's series never vanishes)."""
    counts = {value: 0 for value, _ in choices}
    counts.update(dict(rows))  # type: ignore[call-overload]
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, n in sorted(counts.items()):
        family.add_metric([value], n)
    return family
