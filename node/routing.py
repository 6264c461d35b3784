"""Which announce topics a node follows, and the change when the hub's config moves it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mqtt import Announcement, Route


def announce_filters(routes: Iterable[Route], base: str) -> list[str]:
    """The announce topics for ``routes``, ``announce/all`` always among them; no duplicates, in order."""
    routes = tuple(routes) or (Route(),)
    return list(dict.fromkeys(f for route in routes for f in Announcement.subscriptions(route, base)))


@dataclass(frozen=True)
class FilterChange:
    """What to unsubscribe and subscribe to move from one set of filters to another."""

    dropped: tuple[str, ...]
    added: tuple[str, ...]

    @classmethod
    def between(cls, old: Iterable[str], new: Iterable[str]) -> FilterChange:
        old, new = list(old), list(new)
        return cls(tuple(f for f in old if f not in new), tuple(f for f in new if f not in old))

    def __bool__(self) -> bool:
        return bool(self.dropped or self.added)
