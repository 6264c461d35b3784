"""The three roles, read once per request or connection into a :class:`Viewer`.

Every view, API call and websocket group asks the Viewer: what it may see
(:meth:`Viewer.visible`), which live groups it joins (:meth:`Viewer.groups`).
A message's audience is read from the topics its announcements went to
(dashboard.audience), so the screens show exactly what the routes decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

import mqtt
from hub.intake.models import Message
from hub.org.models import Department, Staff
from hub.outbox.models import Delivery

Role = Literal["admin", "manager", "staff", "none"]
Scope = Literal["mine", "department", "all"]
SCOPES: tuple[Scope, ...] = ("mine", "department", "all")


@dataclass(frozen=True)
class Viewer:
    """A login as the dashboard sees it. ``departments`` maps slug → subsystem slug."""

    user_id: int
    username: str
    is_admin: bool
    staff_number: str | None
    own_department: str | None
    managed: frozenset[str]
    departments: dict[str, str]

    @property
    def role(self) -> Role:
        if self.is_admin:
            return "admin"
        if self.managed:
            return "manager"
        return "staff" if self.staff_number else "none"

    @property
    def name(self) -> str:
        """Who acknowledges: the staff number when there is one, else the login."""
        return self.staff_number or self.username

    def may_command(self, department: str) -> bool:
        """Speaker commands: admins anywhere, managers in their departments."""
        return self.is_admin or department in self.managed

    def groups(self) -> list[str]:
        """The live groups this viewer's socket joins (dashboard.audience names them)."""
        if self.is_admin:
            return [group("admin")]
        found = [group("everyone")]
        if self.staff_number:
            found.append(group("staff", self.staff_number))
        found += [group("dept", d) for d in sorted(self.managed | _own(self))]
        found += [group("mgr", d) for d in sorted(self.managed)]
        return found

    def _topics(self, scope: Scope) -> tuple[list[str], list[str]]:
        """Exact announce topics and topic prefixes (a managed department's staff) for ``scope``."""
        base = settings.MQTT_BASE_TOPIC
        exact: list[str] = []
        prefixes: list[str] = []
        personal = self.staff_number and self.own_department and self.own_department in self.departments
        if personal:
            assert self.staff_number is not None and self.own_department is not None
            route = mqtt.Route(self.departments[self.own_department], self.own_department, self.staff_number)
            exact.append(mqtt.Announcement.topic_for(route, base))
        depts = _own(self) if scope == "mine" else (self.managed | _own(self))
        for slug in sorted(depts):
            if slug in self.departments:
                exact.append(mqtt.Announcement.topic_for(mqtt.Route(self.departments[slug], slug), base))
        if scope != "mine":
            for slug in sorted(self.managed):
                if slug in self.departments:
                    prefixes.append(mqtt.Announcement.topic_for(mqtt.Route(self.departments[slug], slug), base) + "/")
        if scope == "all":
            exact.append(mqtt.Announcement.topic_for(mqtt.Route(), base))
        return exact, prefixes

    @property
    def has_mine(self) -> bool:
        """Whether anything can be "mine": a staff link (its own topic, its department's). A
        manager or admin without one has nothing routed to them, so no "mine" to show or acknowledge."""
        exact, prefixes = self._topics("mine")
        return bool(exact or prefixes)

    def visible(self, messages: QuerySet[Message], scope: Scope = "all") -> QuerySet[Message]:
        """``messages`` narrowed to what this viewer may see within ``scope``."""
        if self.is_admin and scope == "all":
            return messages
        exact, prefixes = self._topics(scope)
        if not exact and not prefixes:
            return messages.none()
        where = Q(topic__in=exact)
        for prefix in prefixes:
            where |= Q(topic__startswith=prefix)
        routed = Delivery.objects.filter(where, message=OuterRef("pk"))
        return messages.filter(Exists(routed))

    def scopes_of(self, topics: list[str]) -> list[str]:
        """Which narrower scopes a message announced on ``topics`` is in (the same rule as :meth:`visible`)."""
        found: list[str] = []
        narrower: tuple[Scope, ...] = ("mine", "department")
        for scope in narrower:
            exact, prefixes = self._topics(scope)
            if any(t in exact or any(t.startswith(p) for p in prefixes) for t in topics):
                found.append(scope)
        return found

    def may_see(self, message_id: int) -> bool:
        return self.visible(Message.objects.filter(pk=message_id)).exists()


def _own(viewer: Viewer) -> frozenset[str]:
    return frozenset([viewer.own_department]) if viewer.own_department else frozenset()


def group(kind: str, slug: str = "") -> str:
    """A channel-layer group name (letters, digits, - _ . only, as Channels asks)."""
    return f"feed.{kind}.{slug}" if slug else f"feed.{kind}"


def viewer_of(user: AbstractBaseUser | AnonymousUser) -> Viewer | None:
    """The Viewer for a logged-in, active user; None for anyone else (refused everywhere)."""
    if not user.is_authenticated or not user.is_active or user.pk is None:
        return None
    staff = Staff.objects.filter(user_id=user.pk).select_related("department").first()
    managed = frozenset(Department.objects.filter(managers__user_id=user.pk).values_list("slug", flat=True))
    return Viewer(
        user_id=int(user.pk),
        username=user.get_username(),
        is_admin=bool(getattr(user, "is_superuser", False)),
        staff_number=staff.number if staff else None,
        own_department=staff.department.slug if staff else None,
        managed=managed,
        departments=dict(Department.objects.values_list("slug", "subsystem__slug")),
    )
