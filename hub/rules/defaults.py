"""The default configuration (hub/defaults.toml), applied by a data migration.

It takes the app registry as an argument so it works with the historical
models a migration hands it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults.toml"


def load_defaults() -> dict[str, Any]:
    with DEFAULTS.open("rb") as f:
        return tomllib.load(f)


def apply_defaults(apps: Any) -> None:
    config = load_defaults()
    Subsystem = apps.get_model("org", "Subsystem")
    Department = apps.get_model("org", "Department")
    Staff = apps.get_model("org", "Staff")
    Category = apps.get_model("rules", "Category")
    Rule = apps.get_model("rules", "Rule")
    Route = apps.get_model("rules", "Route")

    subsystems = {s["slug"]: Subsystem.objects.create(slug=s["slug"], name=s["name"]) for s in config["subsystems"]}
    departments = {
        d["slug"]: Department.objects.create(slug=d["slug"], name=d["name"], subsystem=subsystems[d["subsystem"]])
        for d in config["departments"]
    }
    staff = {
        s["number"]: Staff.objects.create(number=s["number"], name=s["name"], department=departments[s["department"]])
        for s in config["staff"]
    }
    categories = {
        c["slug"]: Category.objects.create(
            slug=c["slug"],
            name=c["name"],
            priority=c.get("priority", "normal"),
            sound=c.get("sound", ""),
            expiry_seconds=c.get("expiry_seconds", 1800),
        )
        for c in config["categories"]
    }
    for position, r in enumerate(config["rules"], start=1):
        Rule.objects.create(
            position=position * 10,
            name=r["name"],
            kind=r["kind"],
            patterns=r["patterns"],
            category=categories[r["category"]],
        )
    for position, r in enumerate(config["routes"], start=1):
        Route.objects.create(
            position=position * 10,
            category=categories[r["category"]],
            department=departments.get(r.get("department", "")),
            staff=staff.get(r.get("staff", "")),
            everyone=r.get("everyone", False),
            continue_matching=r.get("continue", False),
        )
