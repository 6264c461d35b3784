"""Routing: ordered routes from a category to targets; first match wins unless it says continue.

A route matches a message when its category is the message's and each of its
conditions holds: ``source`` and ``app`` equal the message's, ``min_priority``
is at or below its priority, ``min_amount`` at or below its amount (a message
with no amount fails a ``min_amount``). Its target is one of:

- a department: ``announce/{subsystem}/{department}`` (its speakers, its staff's screens);
- a named staff member: ``announce/{subsystem}/{department}/{number}``;
- every speaker: ``announce/all``;
- a department's staff on duty now (``staff_mode = "on_duty"``: each of them;
  ``"round_robin"``: one of them, in turn). Who is on duty comes from their
  weekly shifts (hub.org.models.StaffShift) in their time zone; staff with no
  shifts are never on duty. **Nobody on duty: the department itself**, so a
  message is never routed to no one because a schedule has a gap.

Round-robin turns are counted in the route's row and claimed with a
conditional update, so two hub processes never hand out the same turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import mqtt
from hub.org.shifts import on_shift

from .classify import highest
from .facts import Facts

log = logging.getLogger(__name__)
CLAIM_ATTEMPTS = 20


@dataclass(frozen=True)
class Member:
    """A staff member as rosters see them: number, time zone and weekly shifts."""

    number: str
    zone: ZoneInfo
    shifts: tuple[tuple[int, time, time], ...]

    def on_duty(self, when: datetime) -> bool:
        return on_shift(list(self.shifts), when.astimezone(self.zone))


@dataclass(frozen=True)
class RouteEntry:
    """One route. ``target`` is the department (for staff modes: whose staff), the staff member, or all."""

    category: str
    target: mqtt.Route
    continue_matching: bool = False
    staff_mode: str = ""
    source: str = ""
    app: str = ""
    min_priority: str = ""
    min_amount: Decimal | None = None
    pk: int | None = None

    def matches(self, category: str, facts: Facts, priority: str) -> bool:
        if category != self.category:
            return False
        if self.source and facts.source != self.source:
            return False
        if self.app and facts.app.casefold() != self.app.casefold():
            return False
        if self.min_priority and highest((priority, self.min_priority)) != priority:
            return False
        if self.min_amount is not None and (facts.amount is None or facts.amount < self.min_amount):
            return False
        return True


def claim_turn_in_db(route_pk: int) -> int:
    """The route's next round-robin turn (0, 1, 2, …), each given out once across processes.

    A compare-and-set on ``Route.turn``: read it, then update it only if it still
    holds what was read; a process that loses the race reads again.
    """
    from .models import Route

    for _ in range(CLAIM_ATTEMPTS):
        turn = Route.objects.filter(pk=route_pk).values_list("turn", flat=True).first()
        if turn is None:
            return 0
        if Route.objects.filter(pk=route_pk, turn=turn).update(turn=turn + 1):
            return turn
    raise RuntimeError(f"route {route_pk}: could not claim a round-robin turn in {CLAIM_ATTEMPTS} attempts")


@dataclass
class RouteTable:
    entries: list[RouteEntry]
    staff: dict[str, list[Member]] = field(default_factory=dict)  # department slug -> its members, by number
    claim_turn: Callable[[int], int] = claim_turn_in_db

    @classmethod
    def from_db(cls) -> RouteTable:
        from hub.org.models import Staff

        from .models import Route

        entries = []
        rows = Route.objects.select_related("category", "department__subsystem", "staff__department__subsystem")
        for row in rows:
            if row.department is not None:
                target = mqtt.Route(row.department.subsystem.slug, row.department.slug)
            elif row.staff is not None:
                dept = row.staff.department
                target = mqtt.Route(dept.subsystem.slug, dept.slug, row.staff.number)
            else:
                target = mqtt.Route()
            entries.append(
                RouteEntry(
                    category=row.category.slug,
                    target=target,
                    continue_matching=row.continue_matching,
                    staff_mode=row.staff_mode,
                    source=row.source,
                    app=row.app,
                    min_priority=row.min_priority,
                    min_amount=row.min_amount,
                    pk=row.pk,
                )
            )
        staff: dict[str, list[Member]] = {}
        for person in Staff.objects.select_related("department").prefetch_related("shifts").order_by("number"):
            shifts = tuple((s.weekday, s.start, s.end) for s in person.shifts.all())
            staff.setdefault(person.department.slug, []).append(Member(person.number, person.zone(), shifts))
        return cls(entries, staff)

    def targets(
        self, category: str, facts: Facts | None = None, priority: str = "normal", when: datetime | None = None
    ) -> list[mqtt.Route]:
        """The targets for a message of ``category``, in route order, each once; empty when no route matches.

        ``when`` (default now) decides who is on duty.
        """
        facts = facts if facts is not None else Facts(content="")
        if when is None:
            from django.utils import timezone

            when = timezone.now()
        found: list[mqtt.Route] = []
        for entry in self.entries:
            if not entry.matches(category, facts, priority):
                continue
            for target in self.resolve(entry, when):
                if target not in found:
                    found.append(target)
            if not entry.continue_matching:
                break
        return found

    def resolve(self, entry: RouteEntry, when: datetime) -> list[mqtt.Route]:
        if not entry.staff_mode:
            return [entry.target]
        department = entry.target
        assert department.department is not None
        on_duty = [m.number for m in self.staff.get(department.department, []) if m.on_duty(when)]
        if not on_duty:
            log.info("route %s: nobody in %s is on duty; the department hears it", entry.pk, department.department)
            return [department]
        if entry.staff_mode == "round_robin":
            assert entry.pk is not None
            on_duty = [on_duty[self.claim_turn(entry.pk) % len(on_duty)]]
        return [mqtt.Route(department.subsystem, department.department, number) for number in on_duty]
