"""Helpers for hub tests: sources pointing at the simulator, sample loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.intake.models import Source
from hub.org.models import Department, SpeakerNode
from hub.simulator import SOURCE_PRESET


def simulator_source(url: str, name: str = "sim") -> Source:
    return Source.objects.create(name=name, adapter="simulator", url=url, interval_seconds=1, **SOURCE_PRESET)


def read_samples(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def enrolled(*node_ids: str, department: str = "orders") -> list[SpeakerNode]:
    """Speakers in the fleet registry (the hub hears only these), following ``department``."""
    found = Department.objects.get(slug=department)
    return [SpeakerNode.objects.get_or_create(node_id=node_id, defaults={"department": found})[0] for node_id in node_ids]
