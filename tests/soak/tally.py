"""Counting after the soak, per speaker, from the speakers' own stores and the hub's records.

- expected: announcements on a topic the speaker follows (the hub's deliveries, any state);
- played / expired / failed: the speaker's store says so;
- lost: expected, and the speaker's store has no final word on it;
- played twice: its tag appears more than once in what the speaker's player finished;
- receipts stored: ``played`` receipts the hub holds from that speaker (unique per announcement);
- unanswered: the hub still waits for (or lapsed) an answer from that speaker.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tests.ack_helpers import sql

from .feeder import TAG
from .speaker import SAID_LOG

COLUMNS = ("expected", "played", "expired", "failed", "lost", "played twice", "receipts stored", "unanswered")


@dataclass(frozen=True)
class Row:
    speaker: str
    expected: int
    played: int
    expired: int
    failed: int
    lost: int
    twice: int
    receipts: int
    unanswered: int

    def cells(self) -> tuple[int, ...]:
        return (self.expected, self.played, self.expired, self.failed, self.lost, self.twice, self.receipts,
                self.unanswered)


def node_statuses(data_dir: Path) -> dict[str, str]:
    with closing(sqlite3.connect(f"file:{data_dir / 'node.sqlite3'}?mode=ro", uri=True, timeout=30)) as db:
        return dict(db.execute("SELECT id, status FROM announcements").fetchall())


def said_tags(data_dir: Path) -> Counter[str]:
    path = data_dir / SAID_LOG
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return Counter(m.group(1) for line in text.splitlines() if (m := TAG.search(line)))


def expected_for(database_url: str, topics: list[str]) -> dict[str, str]:
    """Announcement id → its tag (or "" for one without, such as an alert), on ``topics``."""
    quoted = ", ".join("'" + t.replace("'", "''") + "'" for t in topics)
    rows = sql(database_url, "SELECT announcement_id, payload FROM outbox_delivery "
                             f"WHERE announcement_id != '' AND topic IN ({quoted})")
    found: dict[str, str] = {}
    for announcement_id, payload in rows:
        m = TAG.search(json.loads(bytes(payload))["text"])
        found[announcement_id] = m.group(1) if m else ""
    return found


def tally(database_url: str, speaker: str, topics: list[str], data_dir: Path) -> Row:
    expected = expected_for(database_url, topics)
    statuses = node_statuses(data_dir)
    said = said_tags(data_dir)
    final = {a: statuses.get(a) for a in expected}
    count = Counter(s for s in final.values() if s in ("played", "expired", "failed"))
    hub_expired = {a for (a,) in sql(database_url, "SELECT announcement_id FROM outbox_delivery "
                                                   "WHERE status = 'expired' AND announcement_id != ''")}
    expired = count["expired"] + sum(1 for a in expected if a in hub_expired and final[a] is None)
    lost = sum(1 for a in expected if final[a] not in ("played", "expired", "failed") and a not in hub_expired)
    twice = sum(1 for a, t in expected.items() if t and said[t] > 1)
    receipts = int(sql(database_url, "SELECT count(*) FROM outbox_receipt WHERE status = 'played' "
                                     f"AND node_id = '{speaker}'")[0][0])
    unanswered = int(sql(database_url, "SELECT count(*) FROM outbox_expectation WHERE status != 'answered' "
                                       f"AND node_id = '{speaker}'")[0][0])
    return Row(speaker, len(expected), count["played"], expired, count["failed"], lost, twice, receipts, unanswered)


def table(rows: list[Row]) -> str:
    head = f"{'speaker':<14}" + "".join(f"{c:>17}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for row in rows:
        lines.append(f"{row.speaker:<14}" + "".join(f"{n:>17,}" for n in row.cells()))
    totals = [sum(r.cells()[i] for r in rows) for i in range(len(COLUMNS))]
    lines.append(f"{'all':<14}" + "".join(f"{n:>17,}" for n in totals))
    return "\n".join(lines)
