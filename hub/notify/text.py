"""What a notification says, in the hub's language: the category and amount up front, then the message.

Chat groups show the title in bold or as the first line; a phone's lock screen
shows the title and the start of the body, so what a person acts on comes first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.conf import settings

from hub.intake.models import Message
from hub.pipeline import facts_of

from .base import Notice
from .links import ack_link
from .models import Notification, Target

URGENCY = {
    "zh": {"high": "【重要】", "urgent": "【紧急】"},
    "en": {"high": "[important] ", "urgent": "[URGENT] "},
}


def message_url(message_id: int) -> str:
    """The message's story page in the dashboard (a tap on a phone opens it, logged in)."""
    return f"{settings.PUBLIC_URL}/m/{message_id}/"


def headline(message: Message, lang: str) -> str:
    """``【重要】提现 · ¥3,000.00`` / ``[important] Withdrawal · $450.00``."""
    category = message.category.name_in(lang) if message.category is not None else ("消息" if lang == "zh" else "Message")
    money = facts_of(message).money
    parts = [category] + ([money.text] if money else [])
    return URGENCY.get(lang, URGENCY["en"]).get(message.priority, "") + " · ".join(parts)


def notice(row: Notification, lang: str) -> Notice:
    """One message's notification."""
    message = row.message
    assert message is not None, "a summary is told by summary()"
    by = " · ".join(p for p in (message.user_name, message.app) if p)
    body = message.content + (f"\n{by}" if by else "")
    return Notice(
        id=str(row.key),
        title=headline(message, lang),
        body=body,
        category=message.category.slug if message.category else "",
        priority=message.priority,
        url=message_url(message.pk),
        ack_url=ack_link(message.pk, row.target),
    )


def summary(row: Notification) -> Notice:
    """A summary (hub.stats.summary): written in its reader's language when it was owed."""
    return Notice(id=str(row.key), title=row.title, body=row.body, category="summary", priority="normal",
                  url=f"{settings.PUBLIC_URL}/stats/")


def digest(carrier: Notification, rows: Sequence[Notification], lang: str) -> Notice:
    """Several messages in one notification (a burst beyond the target's rate limit), counted by category."""
    messages = [r.message for r in rows if r.message is not None]  # summaries are never folded
    counts = Counter(m.category.name_in(lang) if m.category else "?" for m in messages)
    summary = ("，" if lang == "zh" else ", ").join(f"{name} {n}" for name, n in counts.most_common())
    if lang == "zh":
        title = f"{len(rows)} 条新消息"
        body = f"{summary}\n最新：{messages[-1].content}"
    else:
        title = f"{len(rows)} new messages"
        body = f"{summary}\nLatest: {messages[-1].content}"
    urgent = max((m.priority for m in messages), key=("normal", "high", "urgent").index)
    return Notice(
        id=str(carrier.key), title=URGENCY.get(lang, URGENCY["en"]).get(urgent, "") + title, body=body,
        category="digest", priority=urgent, url=f"{settings.PUBLIC_URL}/", count=len(rows),
    )

