"""Grouping the feed: messages of the same kind that arrive together are one row.

**Key**: the message's category and its *target*, the topic of its first
announcement (the department, staff member or everyone its route chose; no
target when no route sent it to a speaker). **Window**: fixed slots of
:data:`WINDOW` (10 minutes) of the clock, counted in UTC from the epoch
(10:00:00–10:09:59, 10:10:00–…). So a group is ``(category, target, slot)``:
30 refund requests to finance in one burst are one group; the same order's
repeated events are one group while they come within the slot. A burst that
runs across a slot's end shows as two groups, one per slot.

Everything is read from the database on each request (nothing kept in memory,
so a reload or another web process shows the same groups), through the
viewer's :meth:`Viewer.visible`: a group counts only the members its viewer
may see. A group's id (:attr:`Key.gid`) is the same for every viewer.

Group status, first that holds: ``acknowledged`` (every member is);
``escalated`` (an open member was reminded or escalated); ``partly`` (some
members acknowledged: shown as n/m); ``expired`` (no member is open: each is
acknowledged or expired, not all acknowledged); ``new``.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

import mqtt
from hub.attention.ack import acknowledge
from hub.attention.models import Acknowledgement, FollowUp
from hub.intake.models import Message
from hub.org.models import Department
from hub.outbox.models import Delivery

from . import feed
from .roles import Viewer

WINDOW = timedelta(minutes=10)
CHUNK = 500
PAGE = 20  # groups on a page, at least (whole slots are shown) ...
ROW_BUDGET = 1000  # ... or fewer, once this many messages were read: each group row stands for many
MEMBERS_LIMIT = 500
GroupStatus = Literal["new", "partly", "acknowledged", "escalated", "expired"]
_RANK = {"normal": 0, "high": 1, "urgent": 2}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def slot_of(at: datetime) -> int:
    return int((at - _EPOCH) // WINDOW)


def slot_start(slot: int) -> datetime:
    return _EPOCH + slot * WINDOW


def digest(target: str) -> str:
    return hashlib.sha1(target.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Key:
    category_id: int | None
    target: str  # "" when no announcement was written
    slot: int

    @property
    def gid(self) -> str:
        """Letters, digits and dashes: safe in an element id, a URL and a channel event."""
        return f"{self.category_id or 0}-{self.slot}-{digest(self.target)}"


def parse_gid(gid: str) -> tuple[int | None, int, str] | None:
    """(category id, slot, target digest) from a group id; None when it is not one."""
    parts = gid.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[2]) != 10:
        return None
    return (int(parts[0]) or None), int(parts[1]), parts[2]


def first_topic() -> Subquery:
    """The topic of a message's first announcement (the route's first target)."""
    return Subquery(
        Delivery.objects.filter(message=OuterRef("pk")).exclude(announcement_id="").order_by("pk").values("topic")[:1]
    )


def _with_target(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.annotate(target=first_topic())


# what finding the groups reads of each message; the rest comes from four range look-ups per chunk.
# The time is read as text (the slot is its first 15 characters, "2026-12-01 10:0"): turning
# thousands of values into datetimes cost more than the queries.
FIELDS = ("pk", "category_id", "at_text", "priority")


def _with_time_text(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.annotate(at_text=Cast("received_at", output_field=CharField()))


@functools.lru_cache(maxsize=4096)
def _slot_of_text(prefix: str) -> int:
    """The slot of a UTC time written "YYYY-MM-DD HH:M" (SQLite's text, PostgreSQL's text in UTC)."""
    return slot_of(datetime.fromisoformat(prefix.replace(" ", "T") + "0").replace(tzinfo=timezone.utc))


class Row(NamedTuple):
    """What grouping needs of one message."""

    pk: int
    category_id: int | None
    slot: int
    priority: str
    target: str
    acked: bool
    expired: bool
    chased: bool

    @property
    def key(self) -> Key:
        return Key(self.category_id, self.target, self.slot)


def _read(chunk: list[tuple[Any, ...]], now: datetime) -> list[Row]:
    """Rows for ``chunk`` (FIELDS tuples): each message's first announcement topic, whether it is
    acknowledged, expired (an announcement of it past its expiry) or chased, read for the chunk's
    id range at once (a subquery per message, or a list of ids as parameters, cost several times more)."""
    if not chunk:
        return []
    span = {"message_id__gte": min(c[0] for c in chunk), "message_id__lte": max(c[0] for c in chunk)}
    first: dict[int, str] = {}
    announced = Delivery.objects.filter(**span).exclude(announcement_id="")
    for message_id, topic in announced.order_by("id").values_list("message_id", "topic"):
        if message_id is not None and message_id not in first:
            first[message_id] = topic
    expired = set(announced.filter(expires_at__lte=now).values_list("message_id", flat=True))
    acked = set(Acknowledgement.objects.filter(**span).values_list("message_id", flat=True))
    chased = set(FollowUp.objects.filter(**span, rounds__gt=0).values_list("message_id", flat=True))
    return [Row(pk, cat, _slot_of_text(at[:15]), prio, first.get(pk, ""), pk in acked, pk in expired, pk in chased)
            for pk, cat, at, prio in chunk]


@dataclass
class Group:
    """One row of the grouped feed: a group's counts for one viewer, and its newest member."""

    key: Key
    newest_id: int = 0
    size: int = 0
    acknowledged: int = 0
    escalated: int = 0
    expired: int = 0
    priority: str = "normal"
    newest: Message | None = None
    target_label: str = ""

    def add(self, row: Row) -> None:
        self.size += 1
        self.newest_id = max(self.newest_id, row.pk)
        if row.acked:
            self.acknowledged += 1
        elif row.expired:
            self.expired += 1
        elif row.chased:
            self.escalated += 1
        if _RANK.get(row.priority, 0) > _RANK.get(self.priority, 0):
            self.priority = row.priority

    @property
    def gid(self) -> str:
        return self.key.gid

    @property
    def open(self) -> int:
        return self.size - self.acknowledged - self.expired

    @property
    def status(self) -> GroupStatus:
        if self.acknowledged == self.size:
            return "acknowledged"
        if self.escalated:
            return "escalated"
        if self.acknowledged:
            return "partly"
        if self.open == 0:
            return "expired"
        return "new"

    @property
    def state(self) -> str:
        """The feed state a filter and the open count compare with: open groups are ``new``/``escalated``."""
        return {"partly": "new"}.get(self.status, self.status)


def page(viewer: Viewer, f: feed.Filters, now: datetime, until: int | None = None) -> tuple[list[Group], int | None]:
    """The newest groups under ``f``, whole slots at a time until at least ``PAGE`` groups or
    ``ROW_BUDGET`` messages, newest first; and the slot older pages start below (None: nothing older).

    Reads the visible messages newest first, a few fields each, in chunks, and stops at the
    first message older than the slot in which the page filled (messages are stored in
    time order; one more query picks up any stored out of order inside the page's slots).
    """
    rows = _with_time_text(feed.query(viewer, f, now))
    if until is not None:
        rows = rows.filter(received_at__lt=slot_start(until))
    rows = rows.order_by("-pk")
    groups: dict[tuple[int | None, str, int], Group] = {}
    scanned = 0
    stop: int | None = None
    last: int | None = None
    more = False
    while True:
        chunk = list((rows.filter(pk__lt=last) if last else rows).values_list(*FIELDS)[:CHUNK])
        for row in _read(chunk, now):
            if stop is not None and row.slot < stop:  # the page is full: only its last slot still counts
                more = True
                continue
            key = (row.category_id, row.target, row.slot)
            if key not in groups:
                groups[key] = Group(Key(*key))
            groups[key].add(row)
            scanned += 1
            if stop is None and (len(groups) >= PAGE or scanned >= ROW_BUDGET):
                stop = row.slot
        if chunk:
            last = chunk[-1][0]  # everything from here up is read; the late look-up reads below it
        if len(chunk) < CHUNK:
            break  # nothing older
        if stop is not None and _slot_of_text(chunk[-1][2][:15]) < stop:
            more = True
            break
    if more and stop is not None and last is not None:
        late = rows.filter(pk__lt=last, received_at__gte=slot_start(stop)).values_list(*FIELDS)
        for row in _read(list(late), now):
            groups.setdefault((row.category_id, row.target, row.slot), Group(row.key)).add(row)
    # a message stored out of time order may have opened a group of an older slot before the
    # page filled: that group belongs to a later page, whole
    found = sorted((g for g in groups.values() if stop is None or g.key.slot >= stop), key=lambda g: -g.newest_id)
    more = more or len(found) < len(groups)
    _fill(found, now)
    return found, (stop if more else None)


def _fill(groups: list[Group], now: datetime, known: dict[int, Message] | None = None) -> None:
    """Each group's newest member (annotated for its row) and a name for its target, in two queries."""
    newest = dict(known or {})
    missing = [g.newest_id for g in groups if g.newest_id not in newest]
    if missing:
        newest.update({m.pk: m for m in feed.annotated(Message.objects.filter(pk__in=missing), now)})
    names = dict(Department.objects.values_list("slug", "name"))
    for g in groups:
        g.newest = newest.get(g.newest_id)
        g.target_label = target_label(g.key.target, names)


def target_label(topic: str, names: dict[str, str]) -> str:
    """订单部门, 订单部门 · 101, everyone, or "" for no announcement."""
    if not topic:
        return ""
    route = mqtt.Announcement.parse_topic(topic, settings.MQTT_BASE_TOPIC)
    if route is None:
        return topic
    if route.is_all:
        return _("everyone")
    assert route.department is not None
    name = names.get(route.department, route.department)
    return f"{name} · {route.staff}" if route.staff else name


def _members(viewer: Viewer, key: Key) -> QuerySet[Message]:
    qs = _with_target(viewer.visible(_in_slot(key.category_id, key.slot)))
    # annotations are named through a dict: the type checker knows the model's fields only
    return qs.filter(**({"target__isnull": True} if not key.target else {"target": key.target}))


def _in_slot(category_id: int | None, slot: int) -> QuerySet[Message]:
    start = slot_start(slot)
    messages = Message.objects.filter(received_at__gte=start, received_at__lt=start + WINDOW)
    return messages.filter(category__isnull=True) if category_id is None else messages.filter(category_id=category_id)


def key_of(message_id: int) -> Key | None:
    row = Message.objects.filter(pk=message_id).annotate(target=first_topic()).values_list("category_id", "target", "received_at").first()
    return Key(row[0], row[1] or "", slot_of(row[2])) if row else None


def resolve(gid: str) -> Key | None:
    """The Key of a group id, its target found among the targets of the slot's messages."""
    parsed = parse_gid(gid)
    if parsed is None:
        return None
    category_id, slot, target_digest = parsed
    targets = (_in_slot(category_id, slot).annotate(target=first_topic()).values_list("target", flat=True).distinct())
    for target in targets:
        if digest(target or "") == target_digest:
            return Key(category_id, target or "", slot)
    return None


def group(viewer: Viewer, key: Key, now: datetime, known: list[Message] | None = None) -> Group:
    """``key``'s group as ``viewer`` sees it (size 0 when they may see none of it); ``known``:
    members already read for their rows (annotated), so the newest need not be read again."""
    found = Group(key)
    candidates = list(_with_time_text(viewer.visible(_in_slot(key.category_id, key.slot))).values_list(*FIELDS))
    for start in range(0, len(candidates), CHUNK):
        for row in _read(candidates[start:start + CHUNK], now):
            if row.target == key.target:
                found.add(row)
    if found.size:
        _fill([found], now, {m.pk: m for m in known or []})
    return found


def members(viewer: Viewer, key: Key, now: datetime) -> list[Message]:
    """The members ``viewer`` may see, newest first (at most MEMBERS_LIMIT), annotated for their rows."""
    ids = list(_members(viewer, key).order_by("-pk").values_list("pk", flat=True)[:MEMBERS_LIMIT])
    return list(feed.annotated(Message.objects.filter(pk__in=ids), now).order_by("-pk"))


def acknowledge_group(viewer: Viewer, key: Key, now: datetime) -> list[int]:
    """Acknowledge every open member ``viewer`` may acknowledge, in one transaction; the ids
    this acknowledged (members someone else took first keep their acknowledgement)."""
    taken: list[int] = []
    with transaction.atomic():
        for pk in _members(viewer, key).filter(acknowledgement__isnull=True).order_by("pk").values_list("pk", flat=True):
            if acknowledge(pk, viewer.name, now)[1]:
                taken.append(pk)
    return taken
