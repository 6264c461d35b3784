"""What the soak's platform produces: good messages (each tagged so it can be traced to the
speaker's ear), some pushed by signed webhook instead of polled, some both; and poison."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from hub.simulator.generator import Generator
from hub.simulator.server import Feed

log = logging.getLogger(__name__)

TAG = re.compile(r"\(ref S(\d{6})\)")

# Items the intake must quarantine while storing the rest of their page (docs/architecture.md).
POISON: list[dict[str, Any]] = [
    {"content": {"text": "an object, not text"}},
    {"content": ""},
    {"content": "id far too long", "id": "poison-" + "x" * 300},
    {"content": "user is a list", "user": {"name": ["a", "b"]}},
    {"content": "a time that is not one", "created_at": "yesterday-ish"},
    {"content": 12.5},
]
# What issue 16 found blocks a source for good (fixed by the value checker of another branch):
# only with --poison all.
POISON_BLOCKING: list[dict[str, Any]] = [
    {"content": "a NUL \u0000 inside"},
    {"content": "a time that overflows", "created_at": "9999-12-31T23:59:59-14:00"},
]


def tag(n: int) -> str:
    return f"(ref S{n:06d})"


@dataclass
class Fed:
    good: set[str] = field(default_factory=set)  # platform ids of the good messages
    poison: int = 0
    webhook_posts: int = 0
    webhook_refusals: int = 0  # answers other than 200 (retried) and bad bodies sent on purpose


class Feeder:
    """Feeds ``total`` good messages at ``rate`` a second; 10 % by webhook only, 5 % both ways,
    one in ``poison_every`` followed by a poison item (and a bad webhook body)."""

    def __init__(self, feed: Feed, hook_url: str, secret: str, total: int, rate: float, *, seed: int = 16,
                 poison_every: int = 100, blocking_poison: bool = False) -> None:
        self.feed = feed
        self.hook_url = hook_url
        self.secret = secret
        self.total = total
        self.rate = rate
        self.random = random.Random(seed)
        self.generator = Generator(seed=seed)
        self.poison_every = poison_every
        self.poison = POISON + (POISON_BLOCKING if blocking_poison else [])
        self.fed = Fed()
        self.session = requests.Session()
        self.done = threading.Event()

    def run(self, stop: threading.Event) -> None:
        started = time.monotonic()
        for n in range(1, self.total + 1):
            if stop.is_set():
                break
            self.one(n)
            if n % self.poison_every == 0:
                self.feed.add({"id": f"poison-{n}", **self.random.choice(self.poison)})
                self.fed.poison += 1
                self._post(b'{"content": "half a body', retry=False)  # refused, nothing stored
            lag = started + n / self.rate - time.monotonic()
            if lag > 0:
                time.sleep(lag)
        self.done.set()

    def one(self, n: int) -> None:
        item = self.generator.one()
        item.pop("expected_category")
        item["id"] = f"soak-{n}"
        item["content"] = f"{item['content']} {tag(n)}"
        self.fed.good.add(item["id"])
        way = self.random.random()
        if way >= 0.10:
            self.feed.add(item)
        if way < 0.15:
            self._post(json.dumps(item, ensure_ascii=False).encode())

    def _post(self, body: bytes, retry: bool = True) -> None:
        """A platform retries a webhook until the hub takes it (or gives up after a minute)."""
        deadline = time.monotonic() + 60
        while True:
            stamp = str(int(time.time()))
            digest = hmac.new(self.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-ShopCrier-Timestamp": stamp,
                       "X-ShopCrier-Signature": f"sha256={digest}"}
            try:
                answer = self.session.post(self.hook_url, data=body, headers=headers, timeout=10)
                self.fed.webhook_posts += 1
                if answer.status_code == 200 or not retry:
                    if answer.status_code != 200:
                        self.fed.webhook_refusals += 1
                    return
                log.warning("webhook answered %s: %s", answer.status_code, answer.text[:200])
            except requests.RequestException as exc:
                log.warning("webhook failed: %s", exc)
            if time.monotonic() > deadline:
                log.error("gave up on a webhook after a minute")
                return
            time.sleep(1)
