"""Which node ids the fleet registry knows, asked for every heartbeat, status and receipt.

Only a speaker in the registry (a ``SpeakerNode`` row, enabled or not) may
leave traces in the hub: a message from any other id creates no row and no
alert. The registry's ids are read in one query and kept for ``ttl_s``; an id
not among them reloads them, at most once every ``retry_s``, so a speaker
enrolled a moment ago is heard within seconds while a flood of made-up ids
costs one query per ``retry_s``. Each unknown id is logged once per process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from hub.org.models import SpeakerNode

log = logging.getLogger(__name__)

MAX_LOGGED = 10_000  # unknown ids remembered for "logged once"; past it they are logged at debug level


class KnownNodes:
    def __init__(
        self, *, ttl_s: float = 60.0, retry_s: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.retry_s = retry_s
        self.monotonic = monotonic
        self._ids: frozenset[str] = frozenset()
        self._loaded_at: float | None = None
        self._logged: set[str] = set()

    def _load(self, now: float) -> None:
        self._ids = frozenset(SpeakerNode.objects.values_list("node_id", flat=True))
        self._loaded_at = now

    def knows(self, node_id: str, what: str = "message") -> bool:
        """True when ``node_id`` is in the registry; False (logged once per id) when it is not."""
        now = self.monotonic()
        if self._loaded_at is None or now - self._loaded_at >= self.ttl_s:
            self._load(now)
        elif node_id not in self._ids and now - self._loaded_at >= self.retry_s:
            self._load(now)
        if node_id in self._ids:
            return True
        if node_id not in self._logged and len(self._logged) < MAX_LOGGED:
            self._logged.add(node_id)
            log.warning("refused a %s from node %s: no speaker of that id is enrolled (logged once)", what, node_id)
        else:
            log.debug("refused a %s from unknown node %s", what, node_id)
        return False
