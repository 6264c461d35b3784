"""The rules, routes, categories and sounds a webhook is recognised with, loaded at most once a
second in a web process instead of for every webhook.

Loading them (:meth:`hub.pipeline.Pipeline.from_db`: a dozen queries and the
rules' regular expressions compiled) was two thirds of a webhook's time in the
web process (docs/performance.md). A web process (``shopcrier-hub serve``)
keeps the loaded pipeline for ``SHOPCRIER_WEBHOOK_CONFIG_TTL`` seconds (default
1): an admin's change reaches webhooks within that time, and at once when it
was saved through Django in the same process (a ``post_save``/``post_delete``
of a rules, organisation, sounds or attention model forgets it, and forgets it
again when its transaction commits). Other
processes (the poller, tests, commands) load it for every use, as before.
The pipeline is read-only once built, so concurrent requests share it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from hub.pipeline import Pipeline

# Apps whose rows a Pipeline is built from (rules and categories, departments and staff, prompt
# sounds, shifts); a change to any of them through Django forgets the cached pipeline.
CONFIG_APPS = frozenset({"rules", "org", "sounds", "attention"})


class PipelineCache:
    """``get()``: a pipeline loaded at most ``ttl_s`` ago (``ttl_s`` 0: a fresh one each time)."""

    def __init__(self, ttl_s: float, load: Callable[[], Pipeline] = Pipeline.from_db,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.load = load
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._pipeline: Pipeline | None = None
        self._loaded_at = 0.0
        self.loads = 0

    def get(self) -> Pipeline:
        if self.ttl_s <= 0:
            return self.load()
        with self._lock:  # one request loads; the others wait a few milliseconds and share it
            if self._pipeline is None or self.monotonic() - self._loaded_at >= self.ttl_s:
                self._loaded_at = self.monotonic()
                self._pipeline = self.load()
                self.loads += 1
            return self._pipeline

    def forget(self) -> None:
        with self._lock:
            self._pipeline = None


_cache: PipelineCache | None = None
_cache_lock = threading.Lock()


def cache() -> PipelineCache:
    """This process's cache, made at first use from the settings."""
    global _cache
    with _cache_lock:
        if _cache is None:
            from django.conf import settings

            _cache = PipelineCache(settings.WEBHOOK_CONFIG_TTL_S)
        return _cache


def _forget(sender: type[Any], using: str = "default", **kwargs: Any) -> None:
    """Forget now, and again once the saving transaction commits: a webhook in between (another
    thread) loads the configuration as it was before the change, which it cannot see yet."""
    if _cache is not None and sender._meta.app_label in CONFIG_APPS:
        _cache.forget()
        transaction.on_commit(_cache.forget, using=using)


post_save.connect(_forget, dispatch_uid="shopcrier-webhook-pipeline-save")
post_delete.connect(_forget, dispatch_uid="shopcrier-webhook-pipeline-delete")
