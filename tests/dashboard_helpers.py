"""People for dashboard tests: logins with roles, on the default organisation (ops: orders, finance, …)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import DepartmentManager
from hub.org.models import Department, Staff
from tests.attention_helpers import department


def login(username: str, *, staff: str | None = None, dept: str = "orders", manages: tuple[str, ...] = (), admin: bool = False) -> User:
    """A login; ``staff`` links it to that staff number (created in ``dept`` if missing)."""
    user = User.objects.create_user(username, password="pw-" + username, is_superuser=admin, is_staff=admin)
    if staff:
        person, _ = Staff.objects.get_or_create(number=staff, defaults={"name": username, "department": department(dept)})
        person.user = user
        person.save()
    for slug in manages:
        DepartmentManager.objects.create(user=user, department=department(slug))
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def orders_clerk() -> User:
    return login("li", staff="101", dept="orders")


def finance_clerk() -> User:
    return login("zhao", staff="201", dept="finance")


def orders_manager() -> User:
    return login("chen", manages=("orders",))


def admin() -> User:
    return login("boss", admin=True)


__all__ = ["Department", "admin", "client_for", "finance_clerk", "login", "orders_clerk", "orders_manager"]
