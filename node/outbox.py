"""Sending the store's outbox: in order, each row removed only once the broker has acknowledged it."""

from __future__ import annotations

import logging
import time

from mqtt import Link, wait_all

from .store import Store

log = logging.getLogger(__name__)


def flush_outbox(store: Store, link: Link, *, batch: int = 50, timeout: float = 5.0) -> bool:
    """Publish up to ``batch`` pending messages and remove each the broker acknowledged.

    Returns True when every one sent was acknowledged within ``timeout``
    seconds. It stops at the first that was not: that one and those after it
    stay for the next flush, so delivery is at least once and in order (a
    message acknowledged too late is sent again; receivers dedup by id).
    Call only while the link is connected: paho re-sends by itself what it
    published while disconnected, which would double every row.
    """
    pending = store.outbox_pending(batch)
    if not pending:
        return True
    sent = [(item, link.publish(item.topic, item.payload, qos=item.qos)) for item in pending]
    deadline = time.monotonic() + timeout
    for count, (item, info) in enumerate(sent):
        if not wait_all([info], deadline - time.monotonic()):
            log.warning("broker did not acknowledge outbox message %s in %s s; %s left for later",
                        item.seq, timeout, len(sent) - count)
            return False
        store.outbox_remove(item.seq)
    log.debug("sent %s outbox message(s)", len(sent))
    return True
