"""The webhook latency histogram: each ``POST /hooks/<source>/`` timed from the view's start
to its reply, labelled by source and status code class.

It lives in the web process's memory (the other figures are read from the
database at scrape time): with several web processes, each reports its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

WEBHOOK_SECONDS = Histogram(
    "shopcrier_webhook_seconds", "Seconds from a webhook request's arrival at the view to its reply.",
    ["source", "code"], buckets=BUCKETS, registry=REGISTRY,
)

View = Callable[..., HttpResponse]


def timed(view: View) -> View:
    """``view`` with each call observed in :data:`WEBHOOK_SECONDS`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        started = time.perf_counter()
        response = view(request, *args, **kwargs)
        # a made-up source (404) must not add a label per guess
        source = str(kwargs.get("source", ""))[:64] if response.status_code != 404 else "unknown"
        WEBHOOK_SECONDS.labels(source, f"{response.status_code // 100}xx").observe(time.perf_counter() - started)
        return response

    return wrapper
