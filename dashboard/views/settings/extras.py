"""What a settings page saves beside its file entry: logins are not in the configuration file.

A staff member's dashboard login (``Staff.user``) and a department's managers
(``DepartmentManager``) are written in the same transaction as the entry
(entries.save's ``also``), and refused beside their field like any other value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.http import QueryDict
from django.utils.translation import gettext as _

from hub.org.models import Department, Staff

from ...models import DepartmentManager
from .entries import Problems


@dataclass(frozen=True)
class Extra:
    save: Callable[[Model, QueryDict], Problems | None]
    shown: Callable[[int], dict[str, Any]]


def _refused(field: str, reason: str) -> Problems:
    problems = Problems()
    problems.add(field, reason)
    return problems


def _users(names: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The logins named, and the names no login has."""
    found = {u.get_username(): u for u in get_user_model()._default_manager.filter(username__in=names)}
    return found, [n for n in names if n not in found]


def save_login(row: Model, post: QueryDict) -> Problems | None:
    """One login, one person."""
    assert isinstance(row, Staff)
    username = post.get("login", "")
    users, unknown = _users([username] if username else [])
    if unknown:
        return _refused("login", _("no such login"))
    user = users.get(username)
    taken = Staff.objects.filter(user=user).exclude(pk=row.pk).first() if user is not None else None
    if taken is not None:
        return _refused("login", _("this login is already %(staff)s's") % {"staff": f"{taken.number} {taken.name}"})
    if row.user_id != (user.pk if user else None):
        row.user = user
        row.save(update_fields=["user"])
    return None


def shown_login(pk: int) -> dict[str, Any]:
    return {"login": Staff.objects.filter(pk=pk).values_list("user__username", flat=True).first() or ""}


def save_managers(row: Model, post: QueryDict) -> Problems | None:
    """The logins that manage the department: they see and acknowledge what is routed to it."""
    assert isinstance(row, Department)
    users, unknown = _users([n for n in post.getlist("managers") if n])
    if unknown:
        return _refused("managers", _("no such login"))
    wanted = {u.pk for u in users.values()}
    have = set(DepartmentManager.objects.filter(department=row).values_list("user_id", flat=True))
    DepartmentManager.objects.filter(department=row).exclude(user_id__in=wanted).delete()
    DepartmentManager.objects.bulk_create([DepartmentManager(department=row, user_id=pk) for pk in sorted(wanted - have)])
    return None


def shown_managers(pk: int) -> dict[str, Any]:
    return {"managers": list(DepartmentManager.objects.filter(department_id=pk).values_list("user__username", flat=True))}


EXTRAS: dict[str, Extra] = {
    "staff": Extra(save_login, shown_login),
    "departments": Extra(save_managers, shown_managers),
}
