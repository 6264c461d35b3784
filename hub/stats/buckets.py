"""Response-time histograms: fixed bucket edges, so rollup rows add up and percentiles
come from sums of counts, never from raw messages.

A wait of ``s`` seconds falls in the first bucket whose upper edge is above it;
the last bucket is open-ended. Percentiles are read by linear interpolation
inside the bucket that holds them: exact to the bucket's width, which is what
"p90 under five minutes" needs.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

# Upper edges in seconds; a 17th, open bucket holds everything from 4 h on.
EDGES: tuple[int, ...] = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600, 14400)
COUNT = len(EDGES) + 1


def bucket_of(seconds: float) -> int:
    """The index (0 .. COUNT-1) of the bucket a wait of ``seconds`` (clamped at 0) falls in."""
    return bisect.bisect_right(EDGES, max(0.0, seconds))


def percentile(counts: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile (0 < q ≤ 1) in seconds read from bucket ``counts``; None when empty."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for i, n in enumerate(counts):
        if n and seen + n >= rank:
            low = float(EDGES[i - 1]) if i > 0 else 0.0
            high = float(EDGES[i]) if i < len(EDGES) else low * 2
            return low + (high - low) * (rank - seen) / n
        seen += n
    return float(EDGES[-1]) * 2
