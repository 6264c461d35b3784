"""Exactly once into the database.

A page's new messages, their deliveries, its rejects and the advanced cursor
are committed in one transaction. A crash anywhere before the commit leaves
the cursor where it was, so the page is fetched again, and the unique
``(source, dedup_key)`` drops what was already stored.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from hub.pipeline import Pipeline
from hub.rules.classify import detect_language

from .adapters import Item, Page
from .models import Message, Quarantine, Source

log = logging.getLogger(__name__)

# Messages without a platform id that repeat within this window are one message.
DEDUP_WINDOW = timedelta(minutes=10)


def dedup_key(item: Item, received_at: datetime) -> str:
    """The platform's id when there is one; else a hash of normalised content + user within a window."""
    if item.external_id:
        return f"id:{item.external_id}"
    when = item.created_at or received_at
    bucket = int(when.timestamp() // DEDUP_WINDOW.total_seconds())
    normal = " ".join(unicodedata.normalize("NFKC", item.content).casefold().split())
    digest = hashlib.sha256(f"{item.user_id}\x00{normal}\x00{bucket}".encode()).hexdigest()
    return f"h:{digest}"


@dataclass(frozen=True)
class Stored:
    new: int
    duplicates: int
    rejected: int


def store_page(source: Source, page: Page, pipeline: Pipeline) -> Stored:
    """Store ``page`` for ``source`` and advance its cursor, all or nothing."""
    new = duplicates = 0
    now = timezone.now()
    with transaction.atomic():
        for item in page.items:
            message = Message(
                source=source,
                dedup_key=dedup_key(item, now),
                external_id=item.external_id,
                user_id=item.user_id,
                user_name=item.user_name,
                content=item.content,
                platform_type=item.platform_type,
                app=item.app,
                lang=detect_language(item.content),
                platform_created_at=item.created_at,
                received_at=now,
                raw=item.raw,
            )
            try:
                with transaction.atomic():  # a savepoint: a repeat rolls back alone
                    message.save()
            except IntegrityError:
                duplicates += 1
                continue
            pipeline.process(message)
            new += 1
        Quarantine.objects.bulk_create(
            [
                Quarantine(
                    source=source,
                    reason=r.reason,
                    raw=r.raw,
                    fingerprint=hashlib.sha256(f"{r.reason}\x00{r.raw}".encode()).hexdigest(),
                    created_at=now,
                )
                for r in page.rejects
            ],
            ignore_conflicts=True,
        )
        moved: dict[str, str] = {}
        if page.cursor is not None and page.cursor != source.cursor:
            source.cursor = moved["cursor"] = page.cursor
        if page.etag is not None and page.etag != source.etag:
            source.etag = moved["etag"] = page.etag
        if moved:
            Source.objects.filter(pk=source.pk).update(**moved)
    if page.rejects:
        log.warning("source %s: %d item(s) quarantined, first: %s", source.name, len(page.rejects), page.rejects[0].reason)
    return Stored(new=new, duplicates=duplicates, rejected=len(page.rejects))
