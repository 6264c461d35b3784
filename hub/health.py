"""The hub's health as /healthz reports it: ok or not, why in a few words, and the details.

Not ok means a person must act: the database cannot be reached, or a hub
process reports its broker link down (speakers hear nothing while it is).
No hub process having reported a link yet (a web process alone, as in a
benchmark) is "unknown", not a failure. Open alerts are details, not a
failure of the hub itself: they are the hub doing its job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection

from hub.monitor.broker import link_summary
from hub.monitor.models import Alert
from hub.outbox.models import Delivery

log = logging.getLogger(__name__)


@dataclass
class Health:
    ok: bool
    why: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What anyone may read: ok, and why not."""
        return {"ok": self.ok, "why": self.why}


def check_health(now: datetime) -> Health:
    """The hub's health at ``now``; never raises for a database that is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = Delivery.objects.filter(status=Delivery.PENDING).count()
        links = link_summary(now)
        alerts = list(Alert.objects.filter(resolved_at__isnull=True).order_by("opened_at").values_list("key", "text")[:50])
    except DatabaseError as exc:
        log.error("healthz: the database cannot be reached: %s", exc)
        return Health(False, ["the database cannot be reached"])
    why = []
    if links["broker"] == "down":
        down = sorted(name for name, link in links["links"].items() if not link["up"])  # type: ignore[attr-defined]
        why.append(f"{len(down)} hub process(es) have lost the MQTT broker; speakers hear nothing")
    details = {"outbox_pending": pending, **links, "alerts_open": [{"key": key, "text": text} for key, text in alerts]}
    return Health(not why, why, details)
