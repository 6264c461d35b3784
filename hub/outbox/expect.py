"""Who owes the hub an answer for each announcement: :class:`~hub.outbox.models.Expectation` rows.

The fleet registry says which enabled speakers follow which announce topics
(``announce/all``, their department's, their staff's: the same
:func:`~hub.fleet.access.speaker_routes` the broker ACL and node configs are
built from). :func:`expect_sent` records, when deliveries are handed to the
broker, one expectation per announcement and speaker; :func:`backfill` adds
those a speaker should have but was not expected for (new, or moved to a
department whose backlog has not expired); :func:`expected` decides whether
a receipt counts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q

import mqtt
from hub.fleet.access import speaker_routes
from hub.org.models import SpeakerNode

from .models import Delivery, Expectation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    """A delivery the broker just took."""

    pk: int
    topic: str
    announcement_id: str
    expires_at: datetime | None


def node_topics(node: SpeakerNode, base: str) -> list[str]:
    """The announce topics ``node`` follows, ``announce/all`` first."""
    routes = [mqtt.Route(), *speaker_routes(node)]
    return list(dict.fromkeys(mqtt.Announcement.topic_for(route, base) for route in routes))


def followers(base: str) -> dict[str, set[str]]:
    """Announce topic → ids of the enabled speakers following it, as the registry says now."""
    found: dict[str, set[str]] = {}
    for node in SpeakerNode.objects.filter(enabled=True).select_related("department__subsystem"):
        for topic in node_topics(node, base):
            found.setdefault(topic, set()).add(node.node_id)
    return found


def expect_sent(sent: Iterable[Sent], now: datetime, base: str, wait: float) -> int:
    """Expect an answer from every follower of each sent announcement, within ``wait`` seconds before
    it goes again; mark those nobody follows ``no_speaker``. Returns how many expectations were
    written. Call inside the transaction that marks the deliveries sent, so a crash leaves neither or both."""
    announcements = [s for s in sent if s.announcement_id]
    if not announcements:
        return 0
    follows = followers(base)
    rows: list[tuple[str, str, int, datetime | None]] = []
    unheard: list[int] = []
    for s in announcements:
        nodes = follows.get(s.topic, set())
        if not nodes:
            unheard.append(s.pk)
        rows += [(s.announcement_id, node_id, s.pk, s.expires_at) for node_id in sorted(nodes)]
    if unheard:
        Delivery.objects.filter(id__in=unheard).update(status=Delivery.NO_SPEAKER)
        log.warning("%d announcement delivery(ies) reach no speaker: nobody follows their topic", len(unheard))
    insert_waiting(rows, now, now + timedelta(seconds=wait))
    return len(rows)


def insert_waiting(rows: list[tuple[str, str, int, datetime | None]], now: datetime, next_at: datetime) -> None:
    """Waiting expectations for (announcement id, node id, delivery pk, expires at), one statement;
    one that exists already (a second publisher, a re-send after a crash) is left as it is.

    Plain SQL, not ``bulk_create``: compiling each row's values through the ORM cost the publisher
    more than half its throughput with three speakers per department (docs/architecture.md,
    "Benchmarks"). ``ON CONFLICT DO NOTHING`` is SQLite (3.24+) and PostgreSQL alike.
    """
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(Expectation._meta.db_table)
    columns = "announcement_id, node_id, delivery_id, expires_at, status, answer, created_at, next_at, resent"
    created, due = ops.adapt_datetimefield_value(now), ops.adapt_datetimefield_value(next_at)
    params = [(a, n, d, ops.adapt_datetimefield_value(e), Expectation.WAITING, "", created, due, 0)
              for a, n, d, e in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (announcement_id, node_id) DO NOTHING",
            params,
        )


def backfill(node_id: str, now: datetime, base: str) -> int:
    """Expect ``node_id`` to answer every unexpired announcement on its topics that it was not
    expected for (it is new, or now follows another department). Returns how many were added."""
    node = SpeakerNode.objects.filter(node_id=node_id, enabled=True).select_related("department__subsystem").first()
    if node is None:
        return 0
    known = set(Expectation.objects.filter(node_id=node_id, expires_at__gt=now).values_list("announcement_id", flat=True))
    deliveries = (
        Delivery.objects.filter(status__in=(Delivery.SENT, Delivery.NO_SPEAKER), topic__in=node_topics(node, base))
        .filter(Q(expires_at__gt=now))
        .exclude(announcement_id="")
        .order_by("id")
        .values_list("id", "announcement_id", "expires_at", "status")
    )
    rows: dict[str, Expectation] = {}
    reached: list[int] = []
    for pk, announcement_id, expires_at, status in deliveries:
        if announcement_id in known or announcement_id in rows:
            continue
        rows[announcement_id] = Expectation(announcement_id=announcement_id, node_id=node_id, delivery_id=pk,
                                            expires_at=expires_at, created_at=now, next_at=now)
        if status == Delivery.NO_SPEAKER:
            reached.append(pk)
    Expectation.objects.bulk_create(rows.values(), ignore_conflicts=True)
    if reached:
        Delivery.objects.filter(id__in=reached, status=Delivery.NO_SPEAKER).update(status=Delivery.SENT)
    if rows:
        log.info("speaker %s gets %d unexpired announcement(s) it was not there for", node_id, len(rows))
    return len(rows)


def expected(announcement_id: str, node_id: str, now: datetime, base: str) -> Expectation | None:
    """The expectation a receipt from ``node_id`` answers, or None when the announcement was never
    sent to that speaker. A receipt that overtakes its expectation (a publisher restarted between
    PUBACK and marking the delivery sent) creates it, if the speaker follows one of its topics."""
    found = Expectation.objects.filter(announcement_id=announcement_id, node_id=node_id).first()
    if found is not None:
        return found
    node = SpeakerNode.objects.filter(node_id=node_id).select_related("department__subsystem").first()
    if node is None:
        return None
    delivery = (
        Delivery.objects.filter(announcement_id=announcement_id, topic__in=node_topics(node, base))
        .exclude(status__in=(Delivery.SUPPRESSED, Delivery.CANCELLED))
        .order_by("id")
        .first()
    )
    if delivery is None:
        return None
    Expectation.objects.bulk_create(
        [Expectation(announcement_id=announcement_id, node_id=node_id, delivery=delivery,
                     expires_at=delivery.expires_at, created_at=now, next_at=now)],
        ignore_conflicts=True,
    )
    return Expectation.objects.filter(announcement_id=announcement_id, node_id=node_id).first()


def unheard_routes(base: str) -> list[str]:
    """One line for each route whose target no enabled speaker follows (its announcements
    would be ``no_speaker``): said as a warning by ``shopcrier-hub load``."""
    from hub.rules.routing import RouteTable

    follows = followers(base)
    lines = []
    for entry in RouteTable.from_db().entries:
        topics = [mqtt.Announcement.topic_for(entry.target, base)]
        if entry.staff_mode:  # whoever of the department is on duty, else the department: either may be heard
            topics += [topic for topic in follows if _staff_of(topic, entry.target, base)]
        if not any(follows.get(topic) for topic in topics):
            lines.append(f"route {entry.pk} ({entry.category} → {topics[0]}): no enabled speaker follows it; "
                         "its announcements will be marked no_speaker")
    return lines


def _staff_of(topic: str, department: mqtt.Route, base: str) -> str | None:
    route = mqtt.Announcement.parse_topic(topic, base)
    if route is None or route.staff is None or route.department != department.department:
        return None
    return route.staff
