"""The notification sender: claims due rows, sends them, marks them; never loses one.

A step takes, per target with something due, what the target's rate limit
allows this minute. Rows are claimed by a conditional update (pending →
sending, with a claim id and a lease), so two senders never send the same
row. Success marks them sent; a temporary failure puts them back with
back-off; a permanent one, or the last attempt, marks them failed with the
reason. A sender killed between sending and marking leaves rows ``sending``:
when their lease runs out they are sent again, with the same notification id.

A burst beyond the rate limit is folded: when more rows wait than sends are
left this minute, the last send carries all the rest as one digest.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from hub.sounds.language import hub_language

from . import text
from .base import Notice, Transport, TransportError, transport_for
from .models import Notification, Target

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)
WINDOW = timedelta(minutes=1)
BATCH = 200


def _due(now: datetime) -> Q:
    return Q(status=Notification.PENDING) & (Q(due_at__isnull=True) | Q(due_at__lte=now))


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, … at most 30 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


class Sender:
    def __init__(
        self,
        clock: Callable[[], datetime] = timezone.now,
        transports: Callable[[Target], Transport] = transport_for,
        lease: timedelta = LEASE,
    ) -> None:
        self.clock = clock
        self.transports = transports  # tests replace what lies outside the machine here
        self.lease = lease  # how long a claimed row may stay unmarked before another sender takes it

    def step(self) -> int:
        """Send what is due now; returns how many notifications were settled (sent or failed)."""
        now = self.clock()
        reclaimed = Notification.objects.filter(status=Notification.SENDING, claimed_until__lt=now).update(
            status=Notification.PENDING, claim=None, claimed_until=None
        )
        if reclaimed:
            log.warning("%d notification(s) left unmarked by a stopped sender: sending them again", reclaimed)
        due = Notification.objects.filter(_due(now)).values_list("target_id", flat=True).distinct()
        settled = 0
        for target in Target.objects.filter(pk__in=list(due)):
            settled += self.send_target(target, now)
        return settled

    def send_target(self, target: Target, now: datetime) -> int:
        used = Notification.objects.filter(target=target, sent_at__gt=now - WINDOW, folded_into__isnull=True).count()
        left = target.per_minute - used
        if left <= 0:
            return 0
        ids = list(
            Notification.objects.filter(_due(now), target=target)
            .order_by("id").values_list("id", flat=True)[:BATCH]
        )
        claim = uuid.uuid4()
        Notification.objects.filter(id__in=ids, status=Notification.PENDING).update(
            status=Notification.SENDING, claim=claim, claimed_until=now + self.lease
        )
        rows = list(Notification.objects.filter(claim=claim).select_related("message__category").order_by("id"))
        if not rows:
            return 0
        try:
            transport = self.transports(target)
        except TransportError as exc:
            return self._failed(rows, exc, now)
        lang = hub_language()
        # A summary (no message) goes alone, in the words written with it, and never into a digest.
        settled = 0
        for row in [r for r in rows if r.message_id is None]:
            settled += self._send(transport, [row], text.summary(row), now)
        rows = [r for r in rows if r.message_id is not None]
        left -= settled
        if rows and left <= 0:  # the summaries took this minute's sends: the rest waits for the next
            Notification.objects.filter(pk__in=[r.pk for r in rows], claim=claim).update(
                status=Notification.PENDING, claim=None, claimed_until=None)
            return settled
        singles, rest = (rows, []) if len(rows) <= left else (rows[: left - 1], rows[left - 1 :])
        for row in singles:
            settled += self._send(transport, [row], text.notice(row, lang), now)
        if rest:
            settled += self._send(transport, rest, text.digest(rest[0], rest, lang), now)
        return settled

    def _send(self, transport: Transport, rows: list[Notification], notice: Notice, now: datetime) -> int:
        try:
            transport.notify(notice)
        except TransportError as exc:
            return self._failed(rows, exc, now)
        except Exception as exc:  # a channel's bug must not stop the others
            log.exception("channel %s failed unexpectedly", rows[0].target.kind)
            return self._failed(rows, TransportError(f"{type(exc).__name__} in the channel"), now)
        carrier, folded = rows[0], [r.pk for r in rows[1:]]
        Notification.objects.filter(pk=carrier.pk, claim=carrier.claim).update(
            status=Notification.SENT, sent_at=now, attempts=carrier.attempts + 1, last_error="", claim=None
        )
        if folded:
            Notification.objects.filter(pk__in=folded, claim=carrier.claim).update(
                status=Notification.SENT, sent_at=now, folded_into=carrier, last_error="", claim=None
            )
            log.info("target %s: %d messages sent as one digest", carrier.target.name, len(rows))
        return len(rows)

    def _failed(self, rows: list[Notification], exc: TransportError, now: datetime) -> int:
        settled = 0
        for row in rows:
            attempts = row.attempts + 1
            final = exc.permanent or attempts >= MAX_ATTEMPTS
            fields = {"attempts": attempts, "last_error": str(exc)[:1000], "claim": None, "claimed_until": None}
            if final:
                Notification.objects.filter(pk=row.pk, claim=row.claim).update(status=Notification.FAILED, **fields)
                settled += 1
            else:
                Notification.objects.filter(pk=row.pk, claim=row.claim).update(
                    status=Notification.PENDING, due_at=now + backoff(attempts), **fields
                )
        target = rows[0].target
        log.warning("target %s: %s (%s)", target.name, exc, "gave up" if settled else "will retry")
        return settled

    def run(self, stop: threading.Event, idle: float = 0.5) -> None:
        log.info("notification sender started")
        while not stop.is_set():
            close_old_connections()
            try:
                busy = self.step() > 0
            except Exception:
                log.exception("notification sender step failed; continuing")
                busy = False
            if not busy:
                stop.wait(idle)
        log.info("notification sender stopped")

