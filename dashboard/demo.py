"""Demo logins: an admin, and one staff login per department, made once and kept.

Passwords are generated the first time and kept in the data dir
(``demo-logins.json``, mode 0600) so every run of ``make demo`` can print them;
an existing login is never changed. A department's first staff member without
a login is linked to its demo login (finance: 003 王芳); a department without
one gets a staff member ``demo-<department>``.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from hub.org.models import Department, Staff

ADMIN = "admin"


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    what: str


def _passwords(path: Path) -> dict[str, str]:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, passwords: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(passwords, f, indent=1)


def ensure_demo_logins(data_dir: Path) -> list[Login]:
    path = data_dir / "demo-logins.json"
    passwords = _passwords(path)
    logins: list[Login] = []
    with transaction.atomic():
        if not User.objects.filter(username=ADMIN).exists():
            passwords[ADMIN] = secrets.token_urlsafe(9)
            User.objects.create_superuser(ADMIN, password=passwords[ADMIN], email="")
        logins.append(Login(ADMIN, passwords.get(ADMIN, "(set before the demo)"), "admin"))
        for department in Department.objects.order_by("slug"):
            username = department.slug
            if not User.objects.filter(username=username).exists():
                passwords[username] = secrets.token_urlsafe(9)
                user = User.objects.create_user(username, password=passwords[username])
                person = department.staff.filter(user__isnull=True).order_by("number").first()
                if person is None:
                    person = Staff.objects.create(department=department, number=f"demo-{department.slug}", name=f"{department.name} demo")
                person.user = user
                person.save(update_fields=["user"])
            staff = Staff.objects.filter(user__username=username).first()
            what = f"staff {staff.number} {staff.name}, {department.name}" if staff else department.name
            logins.append(Login(username, passwords.get(username, "(set before the demo)"), what))
    _save(path, passwords)
    return logins
