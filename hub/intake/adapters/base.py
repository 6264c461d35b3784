"""What every adapter returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import requests

    from hub.intake.models import Source


class FetchError(Exception):
    """The whole reply is unusable (HTTP error, not JSON, too big, timed out).

    ``raw``: the start of the reply when there was one, kept in quarantine;
    ``retry_after``: seconds the platform asked us to wait (429/503).
    """

    def __init__(self, message: str, *, raw: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.raw = raw
        self.retry_after = retry_after


@dataclass(frozen=True)
class Item:
    """One platform message, mapped. ``external_id`` is the platform's own id when it has one.

    ``amount`` and ``currency`` come from the item's own fields when the source maps
    them (None, "" otherwise); ``lang`` is the source's language ("" = detect it).
    """

    content: str
    external_id: str = ""
    user_id: str = ""
    user_name: str = ""
    platform_type: str = ""
    app: str = ""
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    amount: Decimal | None = None
    currency: str = ""
    lang: str = ""


@dataclass(frozen=True)
class Reject:
    """An item that could not be taken, and why."""

    reason: str
    raw: str


@dataclass(frozen=True)
class Page:
    """One reply: good items in platform order, rejects, and the cursor after it.

    ``cursor`` is None when the reply does not move it. ``next_url``: the next
    page of this same listing (a ``Link: rel="next"``, a next link in the body,
    a page number), fetched within the same poll. ``more``: with no
    ``next_url``, asking again with the new cursor may find more. ``etag`` is
    remembered for ``If-None-Match``.
    """

    items: list[Item]
    rejects: list[Reject]
    cursor: str | None
    more: bool
    next_url: str | None = None
    etag: str | None = None


class Adapter(Protocol):
    def fetch(self, source: Source, session: requests.Session, url: str | None = None) -> Page:
        """The first page (``url`` None: from ``source.url`` and its cursor) or the page at ``url``."""
        ...
