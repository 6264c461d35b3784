"""Sending the store's outbox, in order.

A row without a ``ref`` is removed once the broker acknowledged it. A receipt
(a row with a ``ref``) is only marked sent then: the broker's PUBACK does not
mean it reached the hub (a broker SIGKILLed before its next autosave loses it),
so it stays until the hub's :class:`mqtt.ReceiptsStored` names it, and goes
again after a reconnect or when ``resend_after`` seconds pass unconfirmed.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from mqtt.fields import format_time

from mqtt import Link, wait_all

from .store import Store

log = logging.getLogger(__name__)


RESEND_AFTER_S = 30.0


def flush_outbox(store: Store, link: Link, *, batch: int = 50, timeout: float = 5.0,
                 now: datetime | None = None, resend_after: float = RESEND_AFTER_S) -> bool:
    """Publish up to ``batch`` due messages; remove each the broker acknowledged, or, for a
    receipt, mark it sent (it stays until the hub confirms it). ``now``: the store's clock,
    to re-send receipts sent more than ``resend_after`` seconds ago and still unconfirmed.

    Returns True when every one sent was acknowledged within ``timeout``
    seconds. It stops at the first that was not: that one and those after it
    stay for the next flush, so delivery is at least once and in order (a
    message acknowledged too late is sent again; receivers dedup by id).
    Call only while the link is connected: paho re-sends by itself what it
    published while disconnected, which would double every row.
    """
    sent_before = format_time((now or store.now()) - timedelta(seconds=resend_after))
    pending = store.outbox_pending(batch, sent_before=sent_before)
    if not pending:
        return True
    sent = [(item, link.publish(item.topic, item.payload, qos=item.qos)) for item in pending]
    deadline = time.monotonic() + timeout
    for count, (item, info) in enumerate(sent):
        if not wait_all([info], deadline - time.monotonic()):
            log.warning("broker did not acknowledge outbox message %s in %s s; %s left for later",
                        item.seq, timeout, len(sent) - count)
            return False
        if item.ref is None:
            store.outbox_remove(item.seq)
        else:
            store.outbox_sent(item.seq)
    log.debug("sent %s outbox message(s)", len(sent))
    return True
