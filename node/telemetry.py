"""What a node's heartbeat reports, gathered while the agent runs."""

from __future__ import annotations

from datetime import datetime

from mqtt import Heartbeat

MAX_ERROR_LEN = 500  # what the Heartbeat contract accepts


class Telemetry:
    """Counters and last events behind :class:`mqtt.Heartbeat`.

    Times passed as ``mono`` are seconds on a monotonic clock; ``started`` is
    when the agent started on that clock.
    """

    def __init__(self, *, started: float, interval_s: int, version: str) -> None:
        self.started = started
        self.interval_s = interval_s
        self.version = version
        self.last_played: str | None = None
        self.last_played_at: datetime | None = None
        self.audio_error: str | None = None
        self.link_down_s: float | None = None
        self._down_since: float | None = None

    def link_lost(self, mono: float) -> None:
        self._down_since = mono

    def link_up(self, mono: float) -> None:
        """Back online; the outage just ended becomes ``link_down_s``."""
        if self._down_since is not None:
            self.link_down_s = max(0.0, mono - self._down_since)
            self._down_since = None

    def played(self, announcement_id: str, at: datetime) -> None:
        """An announcement played through; the audio device works, so any old error is cleared."""
        self.last_played = announcement_id
        self.last_played_at = at
        self.audio_error = None

    def audio_failed(self, error: str) -> None:
        self.audio_error = error[:MAX_ERROR_LEN]

    def heartbeat(self, *, mono: float, at: datetime, queue_depth: int, volume: int, free_disk_mb: int) -> Heartbeat:
        return Heartbeat(
            uptime_s=max(0.0, mono - self.started),
            queue_depth=queue_depth,
            volume=volume,
            version=self.version,
            interval_s=self.interval_s,
            free_disk_mb=free_disk_mb,
            last_played=self.last_played,
            last_played_at=self.last_played_at,
            audio_error=self.audio_error,
            link_down_s=self.link_down_s,
            at=at,
        )
