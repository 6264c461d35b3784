"""Login throttling: at most ``USER_LIMIT`` failed attempts per user name and ``ADDRESS_LIMIT``
per client address in ``WINDOW``; then the login page says so until the window ends.

Each attempt claims one unit of both keys first (a conditional update, see
:class:`~hub.logins.models.LoginThrottle`). A successful login clears its
user name's count and gives its address's unit back, so a shop whose staff
all log in from one address is not locked out by its own good logins.
Addresses are ``REMOTE_ADDR``: behind a reverse proxy every client shares the
proxy's address (docs/config.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from .models import LoginThrottle

USER_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Keys:
    user: str
    address: str

    @classmethod
    def of(cls, request: HttpRequest | None, username: str) -> Keys:
        address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        return cls(f"user:{username.strip().lower()[:150]}", f"addr:{address or 'unknown'}")


def claim(keys: Keys, now: datetime) -> str | None:
    """Take one attempt for ``keys``. None when allowed; else which limit refused
    (``"user"`` or ``"address"``), and nothing is taken."""
    if not _claim(keys.user, USER_LIMIT, now):
        return "user"
    if not _claim(keys.address, ADDRESS_LIMIT, now):
        LoginThrottle.objects.filter(key=keys.user, attempts__gt=0).update(attempts=F("attempts") - 1)
        return "address"
    return None


def succeeded(keys: Keys) -> None:
    """A correct password: the user name starts afresh and the address gets its unit back."""
    LoginThrottle.objects.filter(key=keys.user).delete()
    LoginThrottle.objects.filter(key=keys.address, attempts__gt=0).update(attempts=F("attempts") - 1)


def _claim(key: str, limit: int, now: datetime) -> bool:
    # a window that has ended starts again (conditional, so two processes restart it once)
    LoginThrottle.objects.filter(key=key, window_started_at__lte=now - WINDOW).update(attempts=0, window_started_at=now)
    if LoginThrottle.objects.filter(key=key, attempts__lt=limit).update(attempts=F("attempts") + 1):
        return True
    if LoginThrottle.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            LoginThrottle.objects.create(key=key, attempts=1, window_started_at=now)
        return True
    except IntegrityError:  # another process created it first: claim against its row
        return bool(LoginThrottle.objects.filter(key=key, attempts__lt=limit).update(attempts=F("attempts") + 1))
