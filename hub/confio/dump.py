"""The database written back as a configuration file, in the shape ``load`` reads.

Loading a dump into the database it came from changes nothing: every value
the loader sets is written, in the loader's order. Before it is returned the
text is read back with the loader's own parser, so a dump is never a file that
``load`` would refuse; the database's runtime state (cursors, health,
messages) is not configuration and is not written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings

from hub.intake.interval import format_interval
from hub.intake.models import Source
from hub.org.models import Department, SpeakerNode, Staff, Subsystem
from hub.rules.models import Category, Route, Rule

from .errors import ConfigFileError, DumpError
from .parse import check_references, parse_text
from .toml_writer import Document

HEADER = """\
ShopCrier hub configuration, written by `shopcrier-hub dump`.
Load it with `shopcrier-hub load FILE` (see docs/config.md, "Configuration file").
Secrets are never in this file: sources name environment variables (token_env, …)."""

# The order of DESIGN.md's example.
ORDER = ("sources", "subsystems", "departments", "staff", "categories", "rules", "routes", "nodes")


def dump_config() -> str:
    tables = {name: list(_rows(name)) for name in ORDER}
    doc = Document()
    doc.comment(HEADER)
    doc.blank()
    for name in ORDER:
        if not tables[name]:
            doc.pair(name, [])  # an empty table, not a missing one: `load --prune` empties it
    doc.table("hub", {"base_topic": settings.MQTT_BASE_TOPIC})
    for name in ORDER:
        for label, entry in tables[name]:
            try:
                doc.array_table(name, entry)
            except ValueError as exc:
                raise DumpError(f"{name} {label!r}: {exc}") from None
    text = doc.text()
    try:
        check_references(parse_text(text, "the dump"))
    except ConfigFileError as exc:
        raise DumpError(f"the database holds something a configuration file may not: {exc}") from None
    return text


def _rows(table: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, the entry's keys in file order) for each row of ``table``."""
    if table == "sources":
        for s in Source.objects.order_by("pk"):
            yield s.name, _source(s)
    elif table == "subsystems":
        for sub in Subsystem.objects.order_by("pk"):
            yield sub.slug, {"slug": sub.slug, "name": sub.name}
    elif table == "departments":
        for d in Department.objects.select_related("subsystem").order_by("pk"):
            yield d.slug, {"slug": d.slug, "subsystem": d.subsystem.slug, "name": d.name}
    elif table == "staff":
        for p in Staff.objects.select_related("department").order_by("pk"):
            yield p.number, _without_defaults(
                {"number": p.number, "name": p.name, "department": p.department.slug, "contact": p.contact}, contact=""
            )
    elif table == "categories":
        for c in Category.objects.order_by("pk"):
            yield c.slug, _without_defaults(
                {"slug": c.slug, "name": c.name, "priority": c.priority, "sound": c.sound, "expiry_seconds": c.expiry_seconds},
                sound="",
            )
    elif table == "rules":
        for r in Rule.objects.select_related("category").order_by("position", "pk"):
            entry = {"name": r.name, "category": r.category.slug, "kind": r.kind, "patterns": r.patterns, "enabled": r.enabled}
            yield r.name, _without_defaults(entry, enabled=True)
    elif table == "routes":
        for route in Route.objects.select_related("category", "department", "staff").order_by("position", "pk"):
            yield str(route), _route(route)
    elif table == "nodes":
        for n in SpeakerNode.objects.select_related("department").prefetch_related("staff").order_by("pk"):
            entry = {
                "id": n.node_id,
                "department": n.department.slug,
                "staff": sorted(p.number for p in n.staff.all()),
                "description": n.description,
                "enabled": n.enabled,
            }
            yield n.node_id, _without_defaults(entry, staff=[], description="", enabled=True)


def _source(s: Source) -> dict[str, Any]:
    entry = {
        "name": s.name,
        "adapter": s.adapter,
        "url": s.url,
        "interval": format_interval(s.interval_seconds),
        "items": s.items_path,
        "cursor": s.cursor_config,
        "fields": s.fields,
        "pagination": s.pagination,
        "auth": s.auth,
        "webhook": s.webhook,
        "enabled": s.enabled,
    }
    return _without_defaults(entry, pagination={}, auth={}, webhook={}, enabled=True)


def _route(route: Route) -> dict[str, Any]:
    entry: dict[str, Any] = {"category": route.category.slug}
    if route.department is not None:
        entry["department"] = route.department.slug
    elif route.staff is not None:
        entry["staff"] = route.staff.number
    else:
        entry["everyone"] = True
    if route.continue_matching:
        entry["continue"] = True
    return entry


def _without_defaults(entry: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """``entry`` less the keys whose value is the one the loader assumes when the key is missing."""
    return {k: v for k, v in entry.items() if k not in defaults or v != defaults[k]}
