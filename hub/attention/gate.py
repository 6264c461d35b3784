"""What the publisher asks before an announcement goes to a department's speakers.

:class:`Gate` decides, for the pending announcement deliveries of one publish
pass, which to hold back: those for a department in its quiet hours (unless
urgent), and those beyond a department's digest limit (folded into a
:class:`~hub.attention.models.Digest`, spoken as one sentence when it closes).
Events and ``announce/all`` are never held back; a digest is only subject to
quiet hours. Held-back rows are marked ``suppressed`` in the same transaction
that counts them into their digest.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

import mqtt
from hub.outbox.models import Delivery
from hub.sounds.language import hub_language
from hub.sounds.library import SoundRef, sound_refs

from .digest_text import digest_text
from .models import Digest, DigestPolicy, QuietHours

log = logging.getLogger(__name__)

DIGEST_EXPIRY = timedelta(minutes=10)
HUB_LANGUAGE = "zh"  # counted for a folded row without a language (the digest itself says hub_language())


@dataclass(frozen=True)
class Row:
    """A pending delivery as the publisher read it."""

    id: int
    topic: str
    announcement_id: str
    message_id: int | None
    priority: str | None
    category: str | None
    lang: str | None


class Gate:
    def __init__(self, base: str) -> None:
        self.base = base

    def screen(self, rows: list[Row], now: datetime) -> set[int]:
        """Mark the rows to hold back ``suppressed``; return their ids."""
        quiet: dict[str, list[QuietHours]] = {}
        for q in QuietHours.objects.select_related("department"):
            quiet.setdefault(q.department.slug, []).append(q)
        policies = {p.department.slug: p for p in DigestPolicy.objects.select_related("department__subsystem")}
        if not quiet and not policies:
            return set()
        screening = _Pass(self.base, now, quiet, policies)
        decided: dict[tuple[str, str], bool] = {}  # (announcement, department) → held back
        held: set[int] = set()
        for row in rows:
            if not row.announcement_id:
                continue
            route = mqtt.Announcement.parse_topic(row.topic, self.base)
            if route is None or route.department is None:
                continue
            key = (row.announcement_id, route.department)
            if key not in decided:
                decided[key] = screening.hold(row, route.department)
            if decided[key]:
                held.add(row.id)
        if held:
            with transaction.atomic():
                Delivery.objects.filter(id__in=held, status=Delivery.PENDING).update(status=Delivery.SUPPRESSED)
                screening.fold()
            log.info("held back %d announcement delivery(ies) from speakers", len(held))
        return held


class _Pass:
    """One publish pass's view of quiet hours and bursts, department by department."""

    def __init__(self, base: str, now: datetime, quiet: dict[str, list[QuietHours]], policies: dict[str, DigestPolicy]) -> None:
        self.base = base
        self.now = now
        self.quiet = quiet
        self.policies = policies
        self.open_digests = {d.department.slug: d for d in Digest.objects.filter(sent_at=None).select_related("department")}
        self.recent: dict[str, int] = {}  # announcements sent within the window before this pass
        self.sending: Counter[str] = Counter()  # and in this pass
        self.folded: dict[str, list[Row]] = {}

    def hold(self, row: Row, department: str) -> bool:
        """Whether the department's speakers should not hear ``row`` now."""
        if row.priority == "urgent":
            return False
        if any(q.covers(self.now) for q in self.quiet.get(department, ())):
            log.debug("quiet hours in %s: %s held back", department, row.announcement_id)
            return True
        policy = self.policies.get(department)
        if policy is None or row.message_id is None:  # a digest is never folded into another
            return False
        digest = self.open_digests.get(department)
        if digest is None or digest.closes_at <= self.now:
            if department not in self.recent:
                self.recent[department] = self._sent_since(policy)
            if self.recent[department] + self.sending[department] < policy.max_announcements:
                self.sending[department] += 1
                return False
        self.folded.setdefault(department, []).append(row)
        return True

    def _sent_since(self, policy: DigestPolicy) -> int:
        """Distinct announcements about a message sent to the department's topics within its window."""
        since = self.now - timedelta(seconds=policy.window_seconds)
        topic = mqtt.Announcement.topic_for(mqtt.Route(policy.department.subsystem.slug, policy.department.slug), self.base)
        return (
            Delivery.objects.filter(status__in=(Delivery.SENT, Delivery.NO_SPEAKER), sent_at__gte=since, message__isnull=False)
            .filter(Q(topic=topic) | Q(topic__startswith=topic + "/"))
            .values("announcement_id")
            .distinct()
            .count()
        )

    def fold(self) -> None:
        """Count the held-back burst rows into their department's open digest (opening one)."""
        for department, rows in self.folded.items():
            policy = self.policies[department]
            digest = self.open_digests.get(department)
            if digest is None or digest.closes_at <= self.now:
                # flush_digests ran first with the same ``now``: no closed digest is still open here
                digest = Digest.objects.create(
                    department=policy.department, opened_at=self.now,
                    closes_at=self.now + timedelta(seconds=policy.window_seconds),
                )
            counts: Counter[str] = Counter(digest.counts)
            langs: Counter[str] = Counter(digest.langs)
            counts.update(row.category or "other" for row in rows)
            langs.update(row.lang or HUB_LANGUAGE for row in rows)
            digest.counts, digest.langs = dict(counts), dict(langs)
            digest.save(update_fields=["counts", "langs"])


def flush_digests(now: datetime, base: str) -> int:
    """Write the announcement of every digest whose window has closed; return how many."""
    from hub.rules.models import Category

    written = 0
    for digest in Digest.objects.filter(sent_at=None, closes_at__lte=now).select_related("department__subsystem"):
        with transaction.atomic():
            if not Digest.objects.filter(pk=digest.pk, sent_at=None).update(sent_at=now):
                continue  # another publisher wrote it
            counts = {k: int(v) for k, v in digest.counts.items()}
            lang = hub_language()  # the hub's own words, whatever language the folded messages were in
            names = dict(Category.objects.filter(slug__in=counts).values_list("slug", "name"))
            seconds = int((digest.closes_at - digest.opened_at).total_seconds())
            route = mqtt.Route(digest.department.subsystem.slug, digest.department.slug)
            sound = digest_sound(counts)
            announcement = mqtt.Announcement(
                id=uuid.uuid4().hex,
                text=digest_text(counts, names, seconds, lang),
                category="digest",
                route=route,
                lang=lang,
                sound=sound[0] if sound else None,
                sound_url=sound[1].url if sound else None,
                sound_sha256=sound[1].sha256 if sound else None,
                created_at=now,
                expires_at=now + DIGEST_EXPIRY,
            )
            Delivery.objects.create(
                message=None,
                announcement_id=announcement.id,
                topic=announcement.topic(base),
                payload=announcement.to_json(),
                expires_at=announcement.expires_at,
                created_at=now,
            )
        written += 1
        log.info("digest for %s: %s", digest.department.slug, announcement.text)
    return written


def digest_sound(counts: dict[str, int]) -> tuple[str, SoundRef] | None:
    """The prompt sound of the category the digest counts most of (a tie: the first slug), if the hub has it."""
    from hub.rules.models import Category

    if not counts:
        return None
    top = min(counts, key=lambda slug: (-counts[slug], slug))
    name = Category.objects.filter(slug=top).values_list("sound", flat=True).first()
    ref = sound_refs().get(name) if name else None
    return (name, ref) if name and ref else None
