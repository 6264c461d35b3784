"""Which node ids the fleet registry knows, asked for every heartbeat, status and receipt.

Only an enrolled speaker (a ``SpeakerNode`` row) may leave traces in the hub:
a message from any other id creates no row and no alert. The answer for an
id is remembered for a while (known ids for ``ttl_s``, unknown ones for
``retry_s``, so a speaker enrolled a moment ago is heard within seconds), and
each unknown id is logged once per process, not once per message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from hub.org.models import SpeakerNode

log = logging.getLogger(__name__)

MAX_REMEMBERED = 100_000  # ids; past it the memory starts over (a flood of made-up ids must not grow it)


class KnownNodes:
    def __init__(
        self, *, ttl_s: float = 60.0, retry_s: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.retry_s = retry_s
        self.monotonic = monotonic
        self._answers: dict[str, tuple[bool, float]] = {}
        self._logged: set[str] = set()

    def knows(self, node_id: str, what: str = "message") -> bool:
        """True when ``node_id`` is enrolled; False (logged once per id) when it is not."""
        now = self.monotonic()
        answer = self._answers.get(node_id)
        if answer is None or answer[1] <= now:
            known = SpeakerNode.objects.filter(node_id=node_id).exists()
            if len(self._answers) >= MAX_REMEMBERED:
                self._answers.clear()
            self._answers[node_id] = (known, now + (self.ttl_s if known else self.retry_s))
            answer = self._answers[node_id]
        if not answer[0]:
            if node_id not in self._logged and len(self._logged) < MAX_REMEMBERED:
                self._logged.add(node_id)
                log.warning("refused a %s from node %s: no speaker of that id is enrolled (logged once)", what, node_id)
            else:
                log.debug("refused a %s from unknown node %s", what, node_id)
        return answer[0]
