"""Helpers for hub tests: sources pointing at the simulator, sample loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.intake.models import Source
from hub.simulator import SOURCE_PRESET


def simulator_source(url: str, name: str = "sim") -> Source:
    return Source.objects.create(name=name, adapter="simulator", url=url, interval_seconds=1, **SOURCE_PRESET)


def read_samples(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
