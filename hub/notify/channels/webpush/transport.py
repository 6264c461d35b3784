"""Web Push (RFC 8030/8291/8292) to every browser a staff member subscribed from the dashboard.

In mainland China, Chrome's and Edge's push service does not answer (it is
Google's): there, a chat group bot is the channel that reaches a phone; see
docs/channels.md. A subscription the push service calls gone (404/410) is
deleted; the notification's id is the notification's ``tag``, so a repeat
replaces the first on the device instead of showing twice.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from pywebpush import WebPushException, webpush

from hub.notify.base import Notice, Transport, TransportError
from hub.notify.models import PushSubscription, Target

from .keys import vapid_key

log = logging.getLogger(__name__)

TTL_S = 24 * 3600
GONE = (404, 410)


class WebPushTransport:
    def __init__(self, target: Target) -> None:
        if target.staff_id is None:
            raise TransportError(f"target {target.name}: Web Push reaches a staff member, not a department", permanent=True)
        self.staff_id = target.staff_id
        self.key = vapid_key(settings.DATA_DIR)
        self.subject = getattr(settings, "VAPID_SUBJECT", "mailto:admin@localhost")

    def notify(self, notice: Notice) -> None:
        subscriptions = list(PushSubscription.objects.filter(staff_id=self.staff_id))
        if not subscriptions:
            raise TransportError("no browser of theirs is subscribed to Web Push", permanent=True)
        data = json.dumps(payload(notice), ensure_ascii=False)
        failures = []
        delivered = 0
        for sub in subscriptions:
            try:
                self._send(sub, data)
                delivered += 1
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else None
                where = urlsplit(sub.endpoint).netloc
                if status in GONE:
                    log.info("push subscription at %s is gone (%s): deleted", where, status)
                    sub.delete()
                    continue
                failures.append(f"{where}: {status or 'no answer'}")
        if failures and not delivered:
            raise TransportError("push service refused: " + "; ".join(failures))
        if not delivered:
            raise TransportError("every subscription was gone; none is left", permanent=True)

    def _send(self, sub: PushSubscription, data: str) -> None:
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        claims: dict[str, str | int] = {"sub": self.subject}
        try:
            webpush(info, data=data, vapid_private_key=self.key, vapid_claims=claims, ttl=TTL_S, timeout=10)
        except WebPushException:
            raise
        except Exception as exc:  # requests' connection errors and timeouts: try again later
            raise WebPushException(f"push service unreachable: {type(exc).__name__}") from exc


def payload(notice: Notice) -> dict[str, object]:
    """What the service worker shows: title, body, link, and an acknowledge action."""
    return {
        "id": notice.id, "tag": notice.id, "title": notice.title, "body": notice.body,
        "url": notice.url, "ack_url": notice.ack_url, "category": notice.category, "priority": notice.priority,
    }


def make(target: Target) -> Transport:
    return WebPushTransport(target)
