"""Words a person reads for stored codes (priorities, delivery states, receipts).

A code this table does not know is shown as it is: the outbox may grow new
states, and the story page must keep working (and say what the row says).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, dict[str, str | Promise]] = {
    "priority": {"normal": _("normal"), "high": _("high"), "urgent": _("urgent")},
    "delivery": {
        "pending": _("waiting to be sent"),
        "sent": _("sent"),
        "expired": _("expired before sending"),
        "suppressed": _("kept quiet (quiet hours or digest)"),
        "cancelled": _("cancelled (acknowledged first)"),
        "no_speaker": _("no speaker follows it"),
    },
    "notification": {"pending": _("waiting to be sent"), "sending": _("being sent"), "sent": _("sent"), "failed": _("failed")},
    "receipt": {"played": _("played"), "failed": _("failed"), "expired": _("expired")},
    "weekday": {
        "mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"), "fri": _("Fri"), "sat": _("Sat"), "sun": _("Sun"),
    },
}


def label(code: str, kind: str) -> str:
    return str(LABELS.get(kind, {}).get(code, code))
