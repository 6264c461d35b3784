"""When to say that the broker is unreachable, and that it is back.

Pure state on a monotonic clock, so tests need no broker to check the timing.
The link counts as down from the start until the first connection: a speaker
that boots without its broker says so too.
"""

from __future__ import annotations

from typing import Literal

Due = Literal["link_lost", "link_restored"]


class LinkWatch:
    """``down_after`` seconds down → ``link_lost``, again every ``repeat`` seconds; back → ``link_restored``.

    ``link_restored`` is only due after a ``link_lost`` was said: a short blip
    nobody was told about needs no all-clear either.
    """

    def __init__(self, *, down_after: float, repeat: float, started: float) -> None:
        self.down_after = down_after
        self.repeat = repeat
        self._down_since: float | None = started
        self._next_lost: float | None = started + down_after
        self._announced = False
        self._restored_due = False

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def down(self, mono: float) -> None:
        if self._down_since is None:
            self._down_since = mono
            self._next_lost = mono + self.down_after
            self._restored_due = False

    def up(self, mono: float) -> None:
        self._down_since = None
        self._next_lost = None
        self._restored_due = self._announced
        self._announced = False

    def due(self, mono: float) -> Due | None:
        """What to say now, if anything; each answer is given once (the next is scheduled)."""
        if self._restored_due:
            self._restored_due = False
            return "link_restored"
        if self._next_lost is not None and mono >= self._next_lost:
            self._next_lost = mono + self.repeat
            self._announced = True
            return "link_lost"
        return None
