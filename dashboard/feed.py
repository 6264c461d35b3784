"""The live feed's query: a Viewer's messages, newest first, filtered, with each one's state.

State, first that holds: ``acknowledged``; ``expired`` (an announcement of it
is past its expiry, unacknowledged); ``escalated`` (reminded or escalated at
least once); ``new``. ``now`` is an input, so tests choose the instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.outbox.models import Delivery
from hub.rules.models import PRIORITY_CHOICES

from .roles import SCOPES, Scope, Viewer

State = Literal["new", "acknowledged", "escalated", "expired"]
STATES: tuple[State, ...] = ("new", "acknowledged", "escalated", "expired")
PRIORITIES = tuple(p for p, _label in PRIORITY_CHOICES)
PAGE = 50


@dataclass
class Filters:
    """What the person asked for; ``errors`` names each value that was refused (and ignored)."""

    scope: Scope = "all"
    category: str = ""
    priority: str = ""
    state: str = ""
    day: date | None = None
    q: str = ""
    before: int | None = None
    grouped: bool = True
    until: int | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        f = cls()
        scope = query.get("scope", "all")
        if scope in SCOPES:
            f.scope = scope
        else:
            f.errors.append(_("unknown scope %(value)r") % {"value": scope})
        f.category = query.get("category", "").strip()[:64]
        priority = query.get("priority", "")
        if priority and priority not in PRIORITIES:
            f.errors.append(_("unknown priority %(value)r") % {"value": priority})
        else:
            f.priority = priority
        state = query.get("state", "")
        if state and state not in STATES:
            f.errors.append(_("unknown state %(value)r") % {"value": state})
        else:
            f.state = state
        raw_day = query.get("day", "")
        if raw_day:
            try:
                f.day = date.fromisoformat(raw_day)
            except ValueError:
                f.errors.append(_("%(value)r is not a date like 2026-12-01") % {"value": raw_day})
        f.q = query.get("q", "").strip()[:200]
        raw_before = query.get("before", "")
        if raw_before:
            if raw_before.isdigit():
                f.before = int(raw_before)
            else:
                f.errors.append(_("%(value)r is not a message number") % {"value": raw_before})
        # grouped unless asked not to (dashboard.groups); ``until``: the grouped feed's older pages
        f.grouped = query.get("group", "1") != "0" and f.before is None
        raw_until = query.get("until", "")
        if raw_until:
            if raw_until.isdigit():
                f.until = int(raw_until)
            else:
                f.errors.append(_("%(value)r is not a page position") % {"value": raw_until})
        return f

    @property
    def is_filtered(self) -> bool:
        return bool(self.category or self.priority or self.state or self.day or self.q or self.scope != "all")

    def as_query(self) -> dict[str, str]:
        out = {"scope": self.scope, "category": self.category, "priority": self.priority, "state": self.state, "q": self.q}
        if self.day:
            out["day"] = self.day.isoformat()
        if not self.grouped:
            out["group"] = "0"
        return {k: v for k, v in out.items() if v}


def _expired(now: datetime) -> Exists:
    return Exists(
        Delivery.objects.filter(message=OuterRef("pk"), expires_at__lte=now).exclude(announcement_id="")
    )


def annotated(messages: QuerySet[Message], now: datetime) -> QuerySet[Message]:
    """Messages with what a row needs, in as few queries as one page takes."""
    return messages.select_related("category", "source", "acknowledgement", "follow_up").annotate(is_expired=_expired(now))


def state_of(message: Message) -> State:
    if hasattr(message, "acknowledgement"):
        return "acknowledged"
    if getattr(message, "is_expired", False):
        return "expired"
    follow_up = getattr(message, "follow_up", None)
    if follow_up is not None and follow_up.rounds > 0:
        return "escalated"
    return "new"


def _state_q(state: str, now: datetime) -> Q:
    unacked = Q(acknowledgement__isnull=True)
    if state == "acknowledged":
        # driven from the acknowledgements (few, or many but newest first), not a scan of every message
        return Q(pk__in=Acknowledgement.objects.values("message_id"))
    if state == "expired":
        return unacked & Q(_expired(now))
    escalated = Q(follow_up__rounds__gt=0)
    if state == "escalated":
        return unacked & ~Q(_expired(now)) & escalated
    return unacked & ~Q(_expired(now)) & ~escalated


def query(viewer: Viewer, f: Filters, now: datetime) -> QuerySet[Message]:
    """The feed for ``viewer`` under ``f``, newest first (not yet sliced)."""
    qs = viewer.visible(Message.objects.all(), f.scope)
    if f.category:
        qs = qs.filter(category__slug=f.category)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.state:
        qs = qs.filter(_state_q(f.state, now))
    if f.day:
        zone = timezone.get_current_timezone()
        start = datetime.combine(f.day, time(), zone)
        qs = qs.filter(received_at__gte=start, received_at__lt=start + timedelta(days=1))
    if f.q:
        qs = qs.filter(Q(content__icontains=f.q) | Q(user_name__icontains=f.q))
    if f.before:
        qs = qs.filter(pk__lt=f.before)
    return annotated(qs, now).order_by("-pk")


OPEN_CAP = 999


def open_count(viewer: Viewer, now: datetime) -> int:
    """Unacknowledged, unexpired messages among the viewer's newest ``OPEN_CAP + 1``: the
    number in the page title (past the cap the page says 999+). Bounded so the count costs
    the same with a hundred messages stored or a million."""
    newest = viewer.visible(Message.objects.all(), "all").order_by("-pk").values("pk")[: OPEN_CAP + 1]
    return Message.objects.filter(pk__in=Subquery(newest), acknowledgement__isnull=True).filter(~Q(_expired(now))).count()


def page(viewer: Viewer, f: Filters, now: datetime) -> list[Message]:
    return list(query(viewer, f, now)[:PAGE])


def row_context(message: Message) -> dict[str, Any]:
    return {"m": message, "state": state_of(message)}
