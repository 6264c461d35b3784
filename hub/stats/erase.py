"""Erasing a person's data on request, without breaking any count.

A customer (the platform's ``user_id``): their messages keep their place in
every count, but lose the name, the id, the text and the raw item; the
spoken sentence in their announcements goes too (one not yet sent is cancelled). A staff member: their number
in rollups and acknowledgements becomes a random token (an :class:`Erasure`
the fill also applies), their name and contact are blanked and their login is
unlinked. Nothing is deleted, so no report changes its totals.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.org.models import Staff
from hub.outbox.models import Delivery

from .models import DailyCount, Erasure, HourlyCount, MessageFact, MonthlyCount

ERASED = "[erased]"


class EraseError(ValueError):
    """Nothing to erase under that name; the message says what was looked for."""


@dataclass(frozen=True)
class Erased:
    messages: int = 0
    acknowledgements: int = 0
    rollup_rows: int = 0
    token: str = ""


def erase_customer(user_id: str) -> Erased:
    if not user_id:
        raise EraseError("a customer is named by their platform user id, and it is empty")
    with transaction.atomic():
        messages = Message.objects.filter(user_id=user_id)
        pks = list(messages.values_list("pk", flat=True))
        if not pks:
            raise EraseError(f"no message from customer {user_id!r}")
        Message.objects.filter(pk__in=pks).update(user_id="", user_name="", content=ERASED, raw={})
        # an announcement not yet sent is not said at all now: its words are gone
        Delivery.objects.filter(message_id__in=pks, status=Delivery.PENDING).update(status=Delivery.CANCELLED, payload=b"{}")
        Delivery.objects.filter(message_id__in=pks).update(payload=b"{}")
    return Erased(messages=len(pks))


def erase_staff(number: str, now: datetime) -> Erased:
    with transaction.atomic():
        existing = Erasure.objects.filter(number=number).first()
        person = Staff.objects.filter(number=number).first()
        if existing is None and person is None and not DailyCount.objects.filter(staff=number).exists():
            raise EraseError(f"no staff member numbered {number!r}")
        token = existing.token if existing else f"erased-{secrets.token_hex(4)}"
        if existing is None:
            Erasure.objects.create(number=number, token=token, at=now)
        rows = DailyCount.objects.filter(staff=number).update(staff=token)
        HourlyCount.objects.filter(staff=number).update(staff=token)
        MonthlyCount.objects.filter(staff=number).update(staff=token)
        MessageFact.objects.filter(staff=number).update(staff=token)  # later changes move the token's rows
        acks = Acknowledgement.objects.filter(by=number).update(by=token)
        if person is not None:
            Staff.objects.filter(pk=person.pk).update(name=ERASED, contact="", user=None)
    return Erased(acknowledgements=acks, rollup_rows=rows, token=token)
