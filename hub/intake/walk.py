"""Walking a newest-first listing that takes no cursor (django-oscar-api's orders).

Such an API always starts with the newest items on page 1, and a new item
pushes every older one a place further. A poll reads from page 1 and stops at
the first page that holds only items stored *before this poll* (items stored
earlier in the same walk do not count: they are the ones new arrivals pushed
onto the next page). When nothing is new that is one request.

The walk's progress lives in the source's ``cursor`` column (its cursor is
unused in this mode), written after each stored page, so it may lag the data
but never run ahead of it:

- ``walked``: a walk reached a known page or the end of the list; the next
  poll may stop at the first known page.
- ``walk:N``: a walk stopped early (an error, the page cap) before page N;
  the next poll reads from page 1 until a known page, then goes on from page
  N (older items only move to later pages, so nothing before N is skipped)
  to the end of the list.
- ``""``: never walked: read to the end.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.utils import timezone

from .adapters import GenericAdapter, Page
from .adapters.base import Adapter
from .adapters.generic import page_url
from .models import Source
from .store import dedup_key, known_keys

log = logging.getLogger(__name__)

WALKED = "walked"
_RESUME = re.compile(r"^walk:(\d{1,9})$")


@dataclass
class Walk:
    """One poll's walk of a newest-first source; call :meth:`seen` before storing each page
    and :meth:`next_url` after."""

    source: Source
    adapter: GenericAdapter
    complete: bool
    resume: int
    number: int = 1
    mine: set[str] = field(default_factory=set)
    _keys: set[str] = field(default_factory=set)
    _before: set[str] = field(default_factory=set)

    @classmethod
    def for_source(cls, adapter: Adapter, source: Source) -> Walk | None:
        """A walk when ``source`` is a newest-first listing; None otherwise."""
        if not isinstance(adapter, GenericAdapter) or not adapter.plan(source).paging.newest_first:
            return None
        marker = source.cursor
        found = _RESUME.match(marker)
        resume = int(found.group(1)) if found else 1
        return cls(source, adapter, complete=marker == WALKED, resume=max(resume, 1))

    def seen(self, page: Page) -> None:
        """Note which of the page's items were stored before this page (call before storing it)."""
        now = timezone.now()
        self._keys = {dedup_key(item, now) for item in page.items}
        self._before = known_keys(self.source, list(self._keys))

    def next_url(self, page: Page) -> str | None:
        """The next page to read after storing ``page``, or None when the walk is over."""
        known_before_poll = bool(self._keys) and self._keys <= (self._before - self.mine)
        self.mine |= self._keys - self._before
        may_stop = self.complete or self.number < self.resume
        if known_before_poll and may_stop:
            if not self.complete and self.number < self.resume:
                return self._go(self.resume, page_url(self.adapter.plan(self.source), self.resume))
            self._finish()
            return None
        if page.next_url is None:
            self._finish()
            return None
        return self._go(self.number + 1, page.next_url)

    def _go(self, number: int, url: str) -> str:
        self.number = number
        if self.complete or number >= self.resume:
            self._mark(f"walk:{number}")
        return url

    def _finish(self) -> None:
        log.debug("source %s: walk ended at page %d", self.source.name, self.number)
        self._mark(WALKED)

    def _mark(self, marker: str) -> None:
        if self.source.cursor != marker:
            self.source.cursor = marker
            Source.objects.filter(pk=self.source.pk).update(cursor=marker)
