"""Helpers for the node tests: announcements, config files, an MQTT observer, the node as a subprocess."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mqtt import Announcement, NodeStatus, Priority, Receipt, Route
from tests.conftest import AlsaSink
from tests.mqtt_helpers import Watcher
from tests.processes import Proc, node_command, wait_until

ORDERS = Route(subsystem="ops", department="orders")


def announcement(
    announcement_id: str,
    *,
    text: str = "Order 10023 was placed.",
    lang: str = "en",
    route: Route = ORDERS,
    priority: Priority = "normal",
    expires_at: datetime | None = None,
) -> Announcement:
    return Announcement(
        id=announcement_id,
        text=text,
        category="order",
        route=route,
        lang=lang,
        priority=priority,
        created_at=datetime.now(timezone.utc),
        expires_at=expires_at,
    )


def in_the_past(seconds: float = 60) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=seconds)


def write_config(
    path: Path,
    *,
    node_id: str,
    broker_url: str,
    data_dir: str = "data",
    routes: Iterable[Route] = (ORDERS,),
    extra: str = "",
) -> Path:
    """A node config file in the documented format."""
    lines = [
        f'id = "{node_id}"',
        f'broker = "{broker_url}"',
        f'data_dir = "{data_dir}"',
        extra,
    ]
    for route in routes:
        lines += ["[[routes]]", f'subsystem = "{route.subsystem}"', f'department = "{route.department}"']
        if route.staff:
            lines.append(f'staff = "{route.staff}"')
    path.write_text("\n".join(lines) + "\n")
    return path


def settled_size(sink: AlsaSink, quiet: float = 0.3, timeout: float = 10.0) -> int:
    """The sink's size once it has stopped growing for ``quiet`` seconds (the `cat` writing it lags a little)."""
    deadline = time.monotonic() + timeout
    last, since = sink.size(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        size = sink.size()
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return size
    raise AssertionError(f"audio sink still growing after {timeout} s")


def occurrences(heard: npt.NDArray[np.int16], part: npt.NDArray[np.int16]) -> int:
    """How often ``part`` (without its silent ends) is in ``heard``, sample for sample."""
    audible = np.flatnonzero(part)
    needle = part[audible[0]: audible[-1] + 1].tobytes()
    haystack = heard.tobytes()
    count, at = 0, haystack.find(needle)
    while at >= 0:
        count += at % 2 == 0  # whole samples only
        at = haystack.find(needle, at + 1)
    return count


class Observer(Watcher):
    """A :class:`Watcher` that also publishes, and knows when its subscriptions are in place."""

    def __init__(self, broker_url: str, *filters: str) -> None:
        # Not a contract topic: a marker that proves the subscriptions are active.
        self._probe = f"test/probe/{uuid.uuid4().hex[:8]}"
        super().__init__(broker_url, *filters, self._probe)
        self.sync()

    def __enter__(self) -> Observer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sync(self, timeout: float = 5.0) -> None:
        """Return once the broker has processed our subscriptions (it handles one client's packets in order)."""
        marker = uuid.uuid4().hex.encode()
        self.publish(self._probe, marker)
        if not wait_until(lambda: marker in self.on(self._probe), timeout):
            raise AssertionError("observer subscription not confirmed")

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> None:
        """Publish and wait for the broker's PUBACK."""
        info = self.link.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(5)
        assert info.is_published(), f"broker did not acknowledge the publish to {topic}"

    def announce(self, item: Announcement) -> None:
        self.publish(item.topic(), item.to_json())

    def on(self, topic: str) -> list[bytes]:
        return [m.payload for m in self.drain() if m.topic == topic]

    def receipts(self, node_id: str, announcement_id: str | None = None) -> list[Receipt]:
        found = [Receipt.from_json(p) for p in self.on(Receipt.topic(node_id=node_id))]
        return [r for r in found if announcement_id is None or r.id == announcement_id]

    def wait_receipt(self, node_id: str, announcement_id: str, timeout: float = 20.0) -> Receipt:
        if not wait_until(lambda: bool(self.receipts(node_id, announcement_id)), timeout, 0.05):
            raise AssertionError(f"no receipt for {announcement_id} from {node_id} within {timeout} s")
        return self.receipts(node_id, announcement_id)[0]

    def status(self, node_id: str) -> bytes | None:
        """The last status (birth or LWT) seen for ``node_id``."""
        seen = self.on(NodeStatus.topic(node_id=node_id))
        return seen[-1] if seen else None


def retained_status(broker_url: str, node_id: str, timeout: float = 5.0) -> bytes | None:
    """What a newcomer reads as the node's retained status."""
    with Observer(broker_url, NodeStatus.topic(node_id=node_id)) as fresh:
        wait_until(lambda: fresh.status(node_id) is not None, timeout, 0.05)
        return fresh.status(node_id)


def start_node(config: Path, sink: AlsaSink, log_dir: Path, name: str = "node") -> Proc:
    """``python -m node --config PATH`` as a real subprocess, its audio going to ``sink``."""
    return Proc(name, [*node_command(config), "--log-level", "DEBUG"], sink.env, log_dir)


def query_node_db(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the node's SQLite store without touching it (read-only; WAL lets it run alongside the node)."""
    with closing(sqlite3.connect(f"file:{data_dir / 'node.sqlite3'}?mode=ro", uri=True)) as db:
        return list(db.execute(sql).fetchall())
