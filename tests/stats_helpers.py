"""Messages with what became of them (receipts, acknowledgements), for the rollup tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Sum

from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.outbox.models import Delivery, Receipt
from hub.stats.models import OUTCOMES, DailyCount
from tests.attention_helpers import announced


def handled(text: str, at: datetime, *, played_after: float | None = None, acked_after: float | None = None,
            dept: str = "orders", staff_no: str | None = None, category_slug: str = "order") -> Message:
    """A message announced at ``at``, played and acknowledged that many seconds later (None: never)."""
    message = announced(text, at=at, dept=dept, staff_no=staff_no, category_slug=category_slug)
    if played_after is not None:
        announcement = Delivery.objects.filter(message=message).exclude(announcement_id="").first()
        assert announcement is not None
        Receipt.objects.create(announcement_id=announcement.announcement_id, node_id="spk-1", status="played",
                               message=message, at=at + timedelta(seconds=played_after))
    if acked_after is not None:
        Acknowledgement.objects.create(message=message, by="101", at=at + timedelta(seconds=acked_after))
    return message


def totals() -> dict[str, int]:
    """Every count column summed over the rollup rows with no breakdown (each message once)."""
    fields = ("messages", *OUTCOMES, "sla_breaches", "played_n", "ack_n")
    sums = DailyCount.objects.filter(dimension="").aggregate(**{f: Sum(f) for f in fields})
    return {f: int(sums[f] or 0) for f in fields}


def snapshot() -> list[tuple[object, ...]]:
    """Every rollup row's values, in key order, for comparing two fills."""
    rows = DailyCount.objects.order_by("day", "department", "staff", "dimension", "value").values()
    return [tuple(v for k, v in row.items() if k != "id") for row in rows]
