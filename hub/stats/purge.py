"""Retention: raw messages (with their deliveries, receipts, acknowledgements and
notifications) and quarantined items go once they are older than their category's
``retention_days``; the rollups stay, so no report changes.

Order of a purge: mark announcements left pending long past their expiry as
expired, fill the rollups up to now, freeze the days about to lose raw
rows (the fill never recomputes them again), then delete in small batches, each
its own short transaction, so the database is never locked for long and a kill
leaves only whole batches done. ``dry_run`` counts what would go and changes nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from hub.intake.models import Message, Quarantine
from hub.notify.models import Notification
from hub.outbox.models import Delivery, Receipt
from hub.rules.models import Category

from .days import day_of
from .fill import fill, state
from .models import FillState

log = logging.getLogger(__name__)

BATCH = 500
# A pending announcement whose expiry passed this long ago will never be sent: say so.
STALE_PENDING = timedelta(hours=1)


@dataclass
class Purged:
    """What a purge removed (or, dry, would remove), by kind."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def __str__(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing"


def cutoffs(now: datetime) -> dict[int | None, datetime]:
    """Per category id (None: messages without one), the instant before which its raw rows go."""
    default = now - timedelta(days=settings.STATS_RETENTION_DAYS)
    found: dict[int | None, datetime] = {None: default}
    for pk, days in Category.objects.values_list("pk", "target__retention_days"):
        found[pk] = now - timedelta(days=days) if days is not None else default
    return found


def expired_messages(now: datetime) -> QuerySet[Message]:
    where = Q()
    for category, before in cutoffs(now).items():
        where |= Q(category_id=category, received_at__lt=before) if category is not None else Q(category__isnull=True, received_at__lt=before)
    return Message.objects.filter(where)


def purge(now: datetime, *, dry_run: bool = False, stop: threading.Event | None = None, batch: int = BATCH) -> Purged:
    """Apply retention at ``now``; see the module's docstring."""
    done = Purged()
    limits = cutoffs(now)
    latest = max(limits.values())
    quarantine_before = now - timedelta(days=settings.QUARANTINE_RETENTION_DAYS)
    stale = Delivery.objects.filter(status=Delivery.PENDING, expires_at__lt=now - STALE_PENDING)
    if dry_run:
        done.add("messages", expired_messages(now).count())
        done.add("quarantined", Quarantine.objects.filter(created_at__lt=quarantine_before).count())
        done.add("pending marked expired", stale.count())
        return done
    done.add("pending marked expired", stale.update(status=Delivery.EXPIRED))
    fill(now, stop=stop)
    _freeze(latest)
    while not (stop is not None and stop.is_set()):
        with transaction.atomic():
            pks = list(expired_messages(now).order_by("pk").values_list("pk", flat=True)[:batch])
            if not pks:
                break
            _, removed = Message.objects.filter(pk__in=pks).delete()
        for label, n in removed.items():
            done.add(label.rsplit(".", 1)[-1].lower(), n)
    default = limits[None]
    for rows, kind in (
        (Quarantine.objects.filter(created_at__lt=quarantine_before), "quarantined"),
        (Delivery.objects.filter(message__isnull=True, created_at__lt=default), "digest deliveries"),
        (Receipt.objects.filter(message__isnull=True, received_at__lt=default), "unmatched receipts"),
        (Notification.objects.filter(message__isnull=True, created_at__lt=default), "summaries"),
    ):
        done.add(kind, _in_batches(rows, batch, stop))
    FillState.objects.filter(name=state().name).update(last_purge_at=now)
    log.info("purge: %s", done)
    return done


def _freeze(latest: datetime) -> None:
    """Days up to the one holding ``latest`` are never recomputed from here on."""
    bookmark = state()
    frozen = day_of(latest) + timedelta(days=1)
    if bookmark.frozen_before is None or frozen > bookmark.frozen_before:
        FillState.objects.filter(pk=bookmark.pk).update(frozen_before=frozen)


def _in_batches(rows: QuerySet[Quarantine] | QuerySet[Delivery] | QuerySet[Receipt] | QuerySet[Notification], batch: int,
                stop: threading.Event | None) -> int:
    total = 0
    while not (stop is not None and stop.is_set()):
        with transaction.atomic():
            pks = list(rows.order_by("pk").values_list("pk", flat=True)[:batch])
            if not pks:
                break
            total += rows.model.objects.filter(pk__in=pks).delete()[0]
    return total
