"""Hub ↔ broker: each hub process's link state, in the database for /healthz, and its alert.

While the link is down the hub keeps storing messages (the outbox drains when
it returns). A link down longer than ``threshold`` opens ``broker:<client id>``.
Its announcement is written to the outbox like any other, so it reaches
speakers and ``alerts`` only once the link is back; until then the log,
/healthz and the admin show it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from .alerts import clear_alert, raise_alert
from .models import Alert, LinkState

log = logging.getLogger(__name__)

STALE = timedelta(seconds=30)  # a row not refreshed for this long belongs to a process that is gone


def record_link(client_id: str, up: bool, now: datetime, problem: str = "") -> None:
    """Note the link's state; ``since`` moves only when it changes. ``problem``: while down,
    the broker's URL (no password) and why (:attr:`mqtt.client.Link.problem`)."""
    problem = "" if up else problem[:300]
    changed = LinkState.objects.filter(client_id=client_id).exclude(up=up).update(
        up=up, since=now, seen_at=now, problem=problem)
    if not changed:
        _, created = LinkState.objects.get_or_create(
            client_id=client_id, defaults={"up": up, "since": now, "seen_at": now, "problem": problem})
        if not created:
            fields: dict[str, object] = {"seen_at": now}
            if problem:  # a refresh that knows no more keeps the cause already written
                fields["problem"] = problem
            LinkState.objects.filter(client_id=client_id).update(**fields)
    if changed and not up:
        log.error("hub process %s lost the broker (%s); messages are stored and will be sent when it returns",
                  client_id, problem or "cause not known yet")


def check_broker(now: datetime, base: str, threshold: timedelta = timedelta(seconds=30)) -> None:
    """Open an alert for each live link down longer than ``threshold``; resolve those back up."""
    live = list(LinkState.objects.filter(seen_at__gte=now - STALE).values_list("client_id", "up", "since", "problem"))
    for client_id, up, since, problem in live:
        key = f"broker:{client_id}"
        if not up and since <= now - threshold:
            why = f": {problem}" if problem else ""
            text = f"Hub process {client_id} has lost the MQTT broker since {since:%H:%M:%S} UTC{why}; speakers hear nothing"
            raise_alert(key, Alert.BROKER, f"hub link {client_id}", text, now, base)
        elif up:
            clear_alert(key, f"Hub process {client_id} is connected to the broker again", now, base)
    # a process that died while its link was down: its alert ends with it
    alive = {f"broker:{client_id}" for client_id, *_ in live}
    for key in Alert.objects.filter(kind=Alert.BROKER, resolved_at__isnull=True).values_list("key", flat=True):
        if key not in alive:
            clear_alert(key, f"Hub process {key.removeprefix('broker:')} has stopped", now, base)


def link_summary(now: datetime) -> dict[str, object]:
    """For /healthz: each live hub process's link, and whether all are up."""
    live = LinkState.objects.filter(seen_at__gte=now - STALE).order_by("client_id")
    links = {row.client_id: {"up": row.up, "since": row.since.isoformat(), **({"problem": row.problem} if row.problem else {})}
             for row in live}
    state = "unknown" if not links else ("up" if all(v["up"] for v in links.values()) else "down")
    return {"broker": state, "links": links}
