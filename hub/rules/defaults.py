"""The default configuration (hub/defaults.toml), applied by a data migration.

The file is read by the same strict parser as ``shopcrier-hub load``
(:mod:`hub.confio.parse`, which needs no models), so it means the same thing
here as there: loading hub/defaults.toml into a fresh install changes nothing.
The rows are made through the app registry passed in, so this works with the
historical models a migration hands it; it sets only fields those models have.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hub.confio.parse import check_references, read_config

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults.toml"
POSITION_STEP = 10  # as hub.confio.load numbers rules and routes


def load_defaults() -> dict[str, Any]:
    with DEFAULTS.open("rb") as f:
        return tomllib.load(f)


def apply_defaults(apps: Any) -> None:
    config = read_config(DEFAULTS)
    check_references(config)  # on a fresh database everything must be in the file
    Subsystem = apps.get_model("org", "Subsystem")
    Department = apps.get_model("org", "Department")
    Staff = apps.get_model("org", "Staff")
    Category = apps.get_model("rules", "Category")
    Rule = apps.get_model("rules", "Rule")
    Route = apps.get_model("rules", "Route")

    subsystems = {s.slug: Subsystem.objects.create(slug=s.slug, name=s.name) for s in config.subsystems or ()}
    departments = {
        d.slug: Department.objects.create(slug=d.slug, name=d.name, subsystem=subsystems[d.subsystem])
        for d in config.departments or ()
    }
    staff = {
        s.number: Staff.objects.create(number=s.number, name=s.name, department=departments[s.department], contact=s.contact)
        for s in config.staff or ()
    }
    categories = {
        c.slug: Category.objects.create(
            slug=c.slug, name=c.name, priority=c.priority, sound=c.sound, expiry_seconds=c.expiry_seconds
        )
        for c in config.categories or ()
    }
    for position, r in enumerate(config.rules or (), start=1):
        Rule.objects.create(
            position=position * POSITION_STEP,
            name=r.name,
            kind=r.kind,
            patterns=list(r.patterns),
            category=categories[r.category],
            enabled=r.enabled,
        )
    for position, route in enumerate(config.routes or (), start=1):
        Route.objects.create(
            position=position * POSITION_STEP,
            category=categories[route.category],
            department=departments[route.department] if route.department else None,
            staff=staff[route.staff] if route.staff else None,
            everyone=route.everyone,
            continue_matching=route.continue_matching,
        )
