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
from hub.confio.schema import RuleEntry
from hub.confio.values import category_values, route_values, rule_values

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults.toml"


def load_defaults() -> dict[str, Any]:
    with DEFAULTS.open("rb") as f:
        return tomllib.load(f)


def _has(model: Any, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _known(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The ``values`` the (possibly historical) ``model`` has fields for."""
    return {k: v for k, v in values.items() if _has(model, k.removesuffix("_id") if k.endswith("_id") else k)}


def _rule_fits(Rule: Any, r: RuleEntry) -> bool:
    """Whether the historical Rule model can hold ``r`` (a field rule or a priority-only rule
    needs the fields of rules/0003); those that cannot wait for :func:`upgrade_defaults`."""
    if r.kind == "field" or r.category is None or r.conditions:
        return _has(Rule, "conditions")
    return True


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
        d.slug: Department.objects.create(
            **_known(Department, {"slug": d.slug, "name": d.name, "subsystem": subsystems[d.subsystem], "timezone": d.timezone})
        )
        for d in config.departments or ()
    }
    staff = {
        s.number: Staff.objects.create(
            **_known(
                Staff,
                {"number": s.number, "name": s.name, "department": departments[s.department], "contact": s.contact, "timezone": s.timezone},
            )
        )
        for s in config.staff or ()
    }
    categories = {
        c.slug: Category.objects.create(**_known(Category, {"slug": c.slug, **category_values(c)}))
        for c in config.categories or ()
    }
    category_ids = _ids(categories)
    for position, r in enumerate(config.rules or (), start=1):
        if _rule_fits(Rule, r):
            Rule.objects.create(**_known(Rule, {"name": r.name, **rule_values(r, position, category_ids)}))
    department_ids, staff_ids = _ids(departments), _ids(staff)
    for position, route in enumerate(config.routes or (), start=1):
        values = route_values(route, position, category_ids, department_ids, staff_ids)
        Route.objects.create(**_known(Route, values))


def upgrade_defaults(apps: Any) -> None:
    """What rules/0003 made possible, for a database that already has the defaults: the
    categories' default templates (where still the plain ``{content}``) and the default
    rules that did not fit before (created at their place in the file, if none has the name)."""
    config = read_config(DEFAULTS)
    Category = apps.get_model("rules", "Category")
    Rule = apps.get_model("rules", "Rule")
    categories = {c.slug: c for c in Category.objects.all()}
    for c in config.categories or ():
        row = categories.get(c.slug)
        if row is None:
            continue
        changed = [
            name
            for name in ("template_zh", "template_en")
            if getattr(row, name) == "{content}" and getattr(c, name) != "{content}"
        ]
        for name in changed:
            setattr(row, name, getattr(c, name))
        if changed:
            row.save(update_fields=changed)
    existing = set(Rule.objects.values_list("name", flat=True))
    for position, r in enumerate(config.rules or (), start=1):
        if r.name in existing or (r.category is not None and r.category not in categories):
            continue
        Rule.objects.create(**_known(Rule, {"name": r.name, **rule_values(r, position, _ids(categories))}))


def english_names(apps: Any) -> None:
    """The built-in categories' English names (rules/0007), for a database that has the
    defaults: a category the file ships gets the file's ``name_en`` while it has none and
    its name is still the file's (a category an admin renamed is theirs to name)."""
    config = read_config(DEFAULTS)
    Category = apps.get_model("rules", "Category")
    for c in config.categories or ():
        if c.name_en:
            Category.objects.filter(slug=c.slug, name=c.name, name_en="").update(name_en=c.name_en)


def refresh_vocabulary(apps: Any) -> None:
    """The broader default vocabulary (rules/0006) for a database that has the defaults: a
    default rule whose patterns are all still in the file's list (an admin may have
    taken some out, never added their own) gets the file's list; one an admin added
    to is left as it is."""
    config = read_config(DEFAULTS)
    Rule = apps.get_model("rules", "Rule")
    for r in config.rules or ():
        row = Rule.objects.filter(name=r.name, kind=r.kind).first()
        if row is None or not r.patterns or list(row.patterns) == list(r.patterns):
            continue
        if set(row.patterns) <= set(r.patterns) | OLD_PATTERNS.get(r.name, set()):
            row.patterns = list(r.patterns)
            row.save(update_fields=["patterns"])


# Patterns the defaults had before rules/0006 and no longer have.
OLD_PATTERNS: dict[str, set[str]] = {"system-keywords": {"超时"}}


def _ids(rows: dict[str, Any]) -> dict[str, int]:
    return {key: row.pk for key, row in rows.items()}
