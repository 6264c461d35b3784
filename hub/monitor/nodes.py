"""Speaker outages, the Healthchecks way: late after its period, down after period + grace.

Ingest steps only write what was heard (and when the next heartbeat is due);
:func:`check_nodes` turns due times into states and alerts. An ``offline``
status (the retained LWT the broker publishes when a speaker vanishes) is down
at once, without waiting for the grace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DataError, transaction
from django.db.models import Q

import mqtt
from mqtt.liveness import JITTER_S

from hub.org.models import SpeakerNode

from .alerts import clear_alert, close_alert, raise_alert
from .models import Alert, NodeHealth

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grace:
    """How long past its period a silent speaker counts as down: ``factor`` × its
    heartbeat interval, at least ``minimum_s`` seconds (QoS 0 heartbeats can be lost
    one at a time; a speaker should miss a whole period more before it is called down).
    Speakers shorten their period for a short keepalive (mqtt/liveness.py: 4 s at keepalive 5)
    so that two periods and the monitor's tick fit in keepalive × 1.5 + 2 s; the minimum
    only guards a period of a second or two. ``jitter_s``: how late the heartbeat after a lost
    one may arrive (a loaded speaker, broker or hub) without the speaker being called down."""

    factor: float = 1.0
    minimum_s: float = 2.0
    jitter_s: float = JITTER_S

    def of(self, interval_s: int) -> timedelta:
        return timedelta(seconds=max(interval_s * self.factor, self.minimum_s) + self.jitter_s)

    @staticmethod
    def late(interval_s: int) -> timedelta:
        """When a heartbeat is late: its period and a little (10 %, at least 1 s), so one that
        arrives on the dot but a few milliseconds after a check is not called late each time."""
        return timedelta(seconds=interval_s + max(1.0, interval_s * 0.1))


def heartbeat_fields(hb: mqtt.Heartbeat, now: datetime, grace: Grace) -> dict[str, Any]:
    """What a heartbeat heard at ``now`` writes to its node's row."""
    return {
        "last_heartbeat_at": now,
        "interval_s": hb.interval_s,
        "late_at": now + grace.late(hb.interval_s),
        "down_at": now + timedelta(seconds=hb.interval_s) + grace.of(hb.interval_s),
        "telemetry": _telemetry(hb),
    }


def ingest_heartbeat(node_id: str, hb: mqtt.Heartbeat, now: datetime, grace: Grace = Grace()) -> None:
    """Record a heartbeat (the worker batches these; see :func:`ingest_heartbeats`)."""
    ingest_heartbeats({node_id: hb}, now, grace)


def ingest_heartbeats(
    beats: dict[str, mqtt.Heartbeat], now: datetime, grace: Grace = Grace(), heard: Mapping[str, datetime] | None = None
) -> None:
    """Record the latest heartbeat of each node in ``beats``, in a few statements whatever their number.
    ``heard``: when each was heard, if not ``now`` (the worker writes a second's heartbeats at once,
    and a speaker's deadline runs from when it was heard, not from when it was written)."""
    heard = heard or {}
    if not beats:
        return
    known = dict(NodeHealth.objects.filter(node_id__in=list(beats)).values_list("node_id", "pk"))
    rows = []
    fresh = []
    for node_id, hb in beats.items():
        row = NodeHealth(node_id=node_id, **heartbeat_fields(hb, min(heard.get(node_id, now), now), grace))
        if node_id in known:
            row.pk = known[node_id]
            rows.append(row)
        else:
            fresh.append(row)
    fields = ["last_heartbeat_at", "interval_s", "late_at", "down_at", "telemetry"]
    try:
        with transaction.atomic():
            NodeHealth.objects.bulk_update(rows, fields, batch_size=500)
            NodeHealth.objects.bulk_create(fresh, ignore_conflicts=True)  # another monitor may have created some
    except DataError as exc:
        # The worker checks each heartbeat first (hub.storable); should a value still be refused, one
        # speaker's heartbeat must not cost the others theirs: write them one by one, dropping the bad.
        log.warning("batched heartbeat write refused (%s); writing %d one by one", exc, len(rows) + len(fresh))
        for row in rows + fresh:
            try:
                with transaction.atomic():
                    if row.pk is None:
                        NodeHealth.objects.bulk_create([row], ignore_conflicts=True)
                    else:
                        NodeHealth.objects.bulk_update([row], fields)
            except DataError as refused:
                log.warning("dropped heartbeat from %s: the database refused it: %s", row.node_id, refused)


def ingest_status(node_id: str, online: bool, now: datetime, grace: Grace = Grace()) -> None:
    """Record a retained ``online``/``offline``. Online restarts the node's period
    (its heartbeat follows at once); offline makes it down at the next check."""
    row, _ = NodeHealth.objects.get_or_create(node_id=node_id)
    row.last_status = NodeHealth.ONLINE if online else NodeHealth.OFFLINE
    row.last_status_at = now
    fields = ["last_status", "last_status_at"]
    if online:
        period = timedelta(seconds=row.interval_s)
        row.late_at, row.down_at = now + grace.late(row.interval_s), now + period + grace.of(row.interval_s)
        fields += ["late_at", "down_at"]
    row.save(update_fields=fields)


def grant_hearing_grace(now: datetime, grace: Grace = Grace()) -> int:
    """The hub starts hearing again at ``now`` (a monitor started, or its broker link came
    back): give every speaker not already down a full period and grace from ``now``.

    Due times written before a hub outage lie in the past; without this, every speaker
    would be called down (and announced) at the first check after any outage longer than
    its period + grace, and resolved a second later. A speaker that stays silent is still
    called down, one period + grace after the hub could hear it again. Returns how many
    rows got more time."""
    rows = list(NodeHealth.objects.exclude(status=NodeHealth.DOWN).exclude(last_status=NodeHealth.OFFLINE))
    moved = []
    for row in rows:
        late_at = now + grace.late(row.interval_s)
        down_at = now + timedelta(seconds=row.interval_s) + grace.of(row.interval_s)
        if row.down_at is None or row.down_at < down_at or row.late_at is None or row.late_at < late_at:
            row.late_at = max(late_at, row.late_at or late_at)
            row.down_at = max(down_at, row.down_at or down_at)
            moved.append(row)
    NodeHealth.objects.bulk_update(moved, ["late_at", "down_at"], batch_size=500)
    if moved:
        log.info("gave %d speaker(s) a period and grace from %s: the hub could not hear them before", len(moved), now)
    return len(moved)


def check_nodes(now: datetime, base: str) -> int:
    """Move each node whose state changed at ``now`` to it, opening or resolving its alert.
    Returns how many nodes changed state. A revoked (disabled) speaker is not watched:
    its open alerts are closed and its silence opens none."""
    close_retired(now, base)
    retired = SpeakerNode.objects.filter(enabled=False).values("node_id")
    down = Q(last_status=NodeHealth.OFFLINE) | Q(down_at__lte=now)
    changed = 0
    # Each state change commits with its alert, so a crash between the two cannot lose the alert.
    for row in NodeHealth.objects.filter(down).exclude(status=NodeHealth.DOWN).exclude(node_id__in=retired):
        with transaction.atomic():
            if _move(row, NodeHealth.DOWN, now):
                changed += 1
                raise_alert(_key(row), Alert.NODE, f"speaker {row.node_id}", _down_text(row), now, base)
    late = NodeHealth.objects.exclude(down).filter(late_at__lte=now, status__in=[NodeHealth.UP, NodeHealth.UNKNOWN])
    for row in late:
        changed += _move(row, NodeHealth.LATE, now)
        log.info("speaker %s is late: no heartbeat since %s", row.node_id, row.last_heartbeat_at)
    for row in NodeHealth.objects.exclude(down).filter(late_at__gt=now).exclude(status=NodeHealth.UP):
        was = row.status
        with transaction.atomic():
            if _move(row, NodeHealth.UP, now):
                changed += 1
                if was == NodeHealth.DOWN:
                    clear_alert(_key(row), f"Speaker {row.node_id} is back online", now, base)
    return changed


def close_retired(now: datetime, base: str) -> int:
    """Close the open alerts of speakers revoked (or disabled) since: nobody is to mend them."""
    retired = set(SpeakerNode.objects.filter(enabled=False).values_list("node_id", flat=True))
    closed = 0
    for key in Alert.objects.filter(kind=Alert.NODE, resolved_at__isnull=True).values_list("key", flat=True):
        node_id = key.removeprefix("node:").split(":")[0]
        if node_id in retired:
            closed += close_alert(key, f"Speaker {node_id} was revoked; its alert is closed", now, base) is not None
    return closed


def check_mute(now: datetime, base: str) -> int:
    """"Online but mute": a speaker whose heartbeat reports an audio device error has its own
    alert (``node:<id>:mute``), resolved by a heartbeat without one. A speaker that is down is
    left to its outage alert. Returns how many alerts opened or resolved."""
    retired = SpeakerNode.objects.filter(enabled=False).values("node_id")
    muted = {
        node_id: str(telemetry.get("audio_error"))
        for node_id, telemetry in NodeHealth.objects.filter(telemetry__has_key="audio_error")
        .exclude(telemetry__audio_error=None).exclude(status=NodeHealth.DOWN).exclude(node_id__in=retired)
        .values_list("node_id", "telemetry")
        if telemetry.get("audio_error")
    }
    changed = 0
    for node_id, error in muted.items():
        text = f"Speaker {node_id} is online but cannot play sound: its audio device reports \"{error[:200]}\""
        changed += raise_alert(_mute_key(node_id), Alert.NODE, f"speaker {node_id} (mute)", text, now, base) is not None
    open_keys = Alert.objects.filter(kind=Alert.NODE, resolved_at__isnull=True, key__endswith=":mute").values_list("key", flat=True)
    for key in open_keys:
        node_id = key.removeprefix("node:").removesuffix(":mute")
        if node_id not in muted and not NodeHealth.objects.filter(node_id=node_id, status=NodeHealth.DOWN).exists():
            changed += clear_alert(key, f"Speaker {node_id} plays sound again", now, base) is not None
    return changed


def _mute_key(node_id: str) -> str:
    return f"node:{node_id}:mute"


def _move(row: NodeHealth, status: str, now: datetime) -> bool:
    """Compare-and-set the node's state, so two monitors never both act on one change."""
    claimed = NodeHealth.objects.filter(pk=row.pk, status=row.status).update(status=status, status_changed_at=now)
    if claimed:
        row.status = status
    return bool(claimed)


def _key(row: NodeHealth) -> str:
    return f"node:{row.node_id}"


def _down_text(row: NodeHealth) -> str:
    last = f"{row.last_heartbeat_at:%Y-%m-%d %H:%M:%S} UTC" if row.last_heartbeat_at else "never"
    if row.last_status == NodeHealth.OFFLINE:
        return f"Speaker {row.node_id} is offline: its connection to the broker dropped (last heartbeat {last})"
    return f"Speaker {row.node_id} stopped sending heartbeats (expected every {row.interval_s} s; last {last})"


def _telemetry(hb: mqtt.Heartbeat) -> dict[str, Any]:
    return {
        "uptime_s": hb.uptime_s, "queue_depth": hb.queue_depth, "volume": hb.volume, "version": hb.version,
        "free_disk_mb": hb.free_disk_mb, "last_played": hb.last_played, "audio_error": hb.audio_error,
        "link_down_s": hb.link_down_s, "voices": hb.voices,
    }
