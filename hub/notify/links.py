"""Signed acknowledge links for channels without buttons: one per message and target, valid for a week.

The link opens a page that asks before it acknowledges (chat apps fetch links
to preview them; a GET must change nothing). The first acknowledgement of a
message counts; the link used again says who acknowledged it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing

from .models import Target

SALT = "shopcrier.notify.ack"
MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class AckGrant:
    message_id: int
    target_id: int


def ack_link(message_id: int, target: Target) -> str:
    token = signing.dumps({"m": message_id, "t": target.pk}, salt=SALT, compress=True)
    return f"{settings.PUBLIC_URL}/notify/ack/{token}"


def read_grant(token: str) -> AckGrant:
    """The grant in ``token``; raises ``signing.BadSignature`` (``SignatureExpired`` past a week)."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("t"), int):
        raise signing.BadSignature("not an acknowledge grant")
    return AckGrant(message_id=data["m"], target_id=data["t"])
