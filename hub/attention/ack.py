"""Acknowledging a message: the first acknowledgement counts, and it stops the chase at once."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from hub.intake.models import Message
from hub.outbox.models import Delivery

from .models import Acknowledgement, FollowUp

log = logging.getLogger(__name__)


def acknowledge(message_id: int, by: str, now: datetime) -> tuple[Acknowledgement, bool]:
    """Acknowledge ``message_id`` (raises ``Message.DoesNotExist``); returns the acknowledgement
    that counts and whether it is this one. Announcements of it not yet sent are cancelled."""
    message = Message.objects.get(pk=message_id)
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(message=message, by=by, at=now)
            cancelled = (
                Delivery.objects.filter(message=message, status=Delivery.PENDING)
                .exclude(announcement_id="")
                .update(status=Delivery.CANCELLED)
            )
            FollowUp.objects.filter(message=message).update(done=True)
    except IntegrityError:  # acknowledged already (perhaps just now, by someone else): the first stands
        return Acknowledgement.objects.get(message=message), False
    log.info("message %s acknowledged by %s (%d unsent announcement(s) cancelled)", message_id, by, cancelled)
    return ack, True
