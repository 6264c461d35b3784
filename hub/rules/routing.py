"""Routing: ordered routes from a category to targets; first match wins unless it says continue."""

from __future__ import annotations

from dataclasses import dataclass

import mqtt


@dataclass(frozen=True)
class RouteEntry:
    category: str
    target: mqtt.Route
    continue_matching: bool


class RouteTable:
    def __init__(self, entries: list[RouteEntry]) -> None:
        self.entries = entries

    @classmethod
    def from_db(cls) -> RouteTable:
        from .models import Route

        entries = []
        rows = Route.objects.select_related(
            "category", "department__subsystem", "staff__department__subsystem"
        )
        for row in rows:
            if row.department is not None:
                target = mqtt.Route(row.department.subsystem.slug, row.department.slug)
            elif row.staff is not None:
                dept = row.staff.department
                target = mqtt.Route(dept.subsystem.slug, dept.slug, row.staff.number)
            else:
                target = mqtt.Route()
            entries.append(RouteEntry(row.category.slug, target, row.continue_matching))
        return cls(entries)

    def targets(self, category: str) -> list[mqtt.Route]:
        """The targets for ``category``, in route order, each once; empty when no route matches."""
        found: list[mqtt.Route] = []
        for entry in self.entries:
            if entry.category != category:
                continue
            if entry.target not in found:
                found.append(entry.target)
            if not entry.continue_matching:
                break
        return found
