"""The learned fallback as it is now: trained on the shipped corpus and the stored examples.

Training takes tens of milliseconds, so a hub process trains at first use and
again whenever the examples change (an admin's correction, a loaded file):
:func:`current` compares a fingerprint of the examples table (count, last id,
last change) with the one it trained on. "Retrain automatically when
corrections arrive" is that comparison, made each time the pipeline is built
(once per poll); ``shopcrier-hub classify --train`` does it at once and says
what it trained on.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Max

from .learned import CORPUS, CORRECTION_WEIGHT, Labelled, Memory, NaiveBayes, digest, read_corpus

__all__ = ["Trained", "current", "digest", "train"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trained:
    """A model, the corrections memory, and what they were trained on."""

    model: NaiveBayes
    memory: Memory
    corpus: int
    examples: int
    seconds: float


_lock = threading.Lock()
_cache: tuple[tuple[object, ...], Trained] | None = None


def _fingerprint(corpus: Path) -> tuple[object, ...]:
    from .models import Example

    stats = Example.objects.aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    return (str(corpus), corpus.stat().st_mtime_ns, stats["n"], stats["last"], stats["changed"])


def train(corpus: Path = CORPUS) -> Trained:
    """Train now on ``corpus`` and every stored example."""
    from .models import Example

    started = time.perf_counter()
    shipped = read_corpus(corpus)
    kept = [Labelled(c, slug, CORRECTION_WEIGHT) for c, slug in Example.objects.values_list("content", "category__slug")]
    model = NaiveBayes.trained(shipped + kept)
    trained = Trained(model, Memory.of(kept), len(shipped), len(kept), time.perf_counter() - started)
    log.info("trained the learned fallback on %d corpus lines and %d examples in %.3f s", len(shipped), len(kept), trained.seconds)
    return trained


def current(corpus: Path = CORPUS) -> Trained:
    """The model for the examples as they are now; trained again only when they changed."""
    global _cache
    key = _fingerprint(corpus)
    with _lock:
        if _cache is not None and _cache[0] == key:
            return _cache[1]
        trained = train(corpus)
        _cache = (key, trained)
        return trained
