"""An admin reclassifies a stored message: the message changes, and the correction is kept
as a labelled example the learned fallback trains on (hub.rules.training)."""

from __future__ import annotations

import logging

from django.db import transaction

from .models import Category, Example
from .learned import digest

log = logging.getLogger(__name__)

CORRECTION_RULE = "correction"


def keep_example(content: str, category: Category, note: str) -> Example:
    """Store ``content`` labelled ``category`` (one label per text: a later one replaces it)."""
    example, created = Example.objects.update_or_create(
        digest=digest(content), defaults={"content": content, "category": category, "note": note[:200]}
    )
    log.info("%s example for %s: %r", "new" if created else "relabelled", category.slug, content[:60])
    return example


def reclassify(message_id: int, category: Category, by: str = "") -> None:
    """Give the message ``category`` (rule ``correction``, no longer to review) and keep it as an example."""
    from hub.intake.models import Message

    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        Message.objects.filter(pk=message_id).update(category=category, rule=CORRECTION_RULE, needs_review=False)
        note = f"correction of message {message_id}" + (f" by {by}" if by else "")
        keep_example(message.content, category, note)
