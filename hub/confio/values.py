"""Model field values for each kind of configuration entry.

One mapping, used by the loader (:mod:`hub.confio.load`) and by the defaults
migration (:mod:`hub.rules.defaults`), so a field added to an entry is stored
the same way by both. Foreign keys are given as ``*_id`` from id maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .schema import CategoryEntry, RouteEntry, RuleEntry

POSITION_STEP = 10  # rules and routes are numbered 10, 20, … so one can be slotted in by hand


def category_values(e: CategoryEntry) -> dict[str, Any]:
    return {
        "name": e.name,
        "name_en": e.name_en,
        "priority": e.priority,
        "sound": e.sound,
        "expiry_seconds": e.expiry_seconds,
        "template_zh": e.template_zh,
        "template_en": e.template_en,
    }


def rule_values(e: RuleEntry, position: int, category_ids: Mapping[str, int]) -> dict[str, Any]:
    return {
        "position": position * POSITION_STEP,
        "kind": e.kind,
        "patterns": list(e.patterns),
        "conditions": [dict(c) for c in e.conditions],
        "category_id": category_ids[e.category] if e.category is not None else None,
        "priority": e.priority or "",
        "enabled": e.enabled,
    }


def route_values(
    e: RouteEntry,
    position: int,
    category_ids: Mapping[str, int],
    department_ids: Mapping[str, int],
    staff_ids: Mapping[str, int],
) -> dict[str, Any]:
    return {
        "position": position * POSITION_STEP,
        "category_id": category_ids[e.category],
        "department_id": department_ids[e.department] if e.department else None,
        "staff_id": staff_ids[e.staff] if e.staff else None,
        "everyone": e.everyone,
        "staff_mode": e.staff_mode,
        "continue_matching": e.continue_matching,
        "source": e.source,
        "app": e.app,
        "min_priority": e.min_priority,
        "min_amount": e.min_amount,
    }
