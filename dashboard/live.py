"""Telling open pages about news through the channel layer.

Events carry ids only; each consumer reads the database (the truth) and
renders what its viewer may see. Acknowledgements are announced from the
process that wrote them, after commit, whoever wrote them (a dashboard button
or the token API); new messages, alerts and speaker news come from the hub's
MQTT topics through dashboard.bridge.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import post_save

from hub.attention.models import Acknowledgement

from .audience import groups_for_message

log = logging.getLogger(__name__)


def send(groups: set[str], event: dict[str, Any]) -> None:
    """Group-send ``event`` to ``groups`` from synchronous code (a view, a signal)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for name in sorted(groups):
        try:
            async_to_sync(layer.group_send)(name, event)
        except Exception:  # a page not told now catches up from the database on its next reconnect
            log.warning("could not tell group %s about %s", name, event.get("type"), exc_info=True)


def _acknowledged(sender: type[Acknowledgement], instance: Acknowledgement, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    message_id = instance.message_id
    transaction.on_commit(lambda: send(groups_for_message(message_id), {"type": "feed.changed", "id": message_id}))


def connect_signals() -> None:
    post_save.connect(_acknowledged, sender=Acknowledgement, dispatch_uid="dashboard-ack-live")
