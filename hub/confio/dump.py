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
from hub.monitor.models import MONITOR_SOURCE
from hub.org.models import Department, SpeakerNode, Staff, Subsystem
from hub.org.shifts import WEEKDAYS, parse_weekdays
from hub.attention.models import DigestPolicy, EscalationPolicy
from hub.monitor.models import AlertRecipient
from hub.notify.models import Target
from hub.rules.models import Category, Example, Route, Rule
from hub.rules.templates import DEFAULT_TEMPLATE
from hub.sounds.language import hub_language
from hub.sounds.models import PrioritySound

from .errors import ConfigFileError, DumpError
from .parse import RAISED_PRIORITIES, check_references, parse_text
from .source_tables import AUTH_TYPES
from .toml_writer import Document

HEADER = """\
ShopCrier hub configuration, written by `shopcrier-hub dump`.
Load it with `shopcrier-hub load FILE` (see docs/config.md, "Configuration file").
Secrets are never in this file: sources and channels name environment variables (token_env, url_env, …)."""

# The order of DESIGN.md's example.
ORDER = ("sources", "subsystems", "departments", "staff", "categories", "rules", "routes", "nodes", "channels", "examples")


def dump_config() -> str:
    tables = {name: list(_rows(name)) for name in ORDER}
    doc = Document()
    doc.comment(HEADER)
    doc.blank()
    for name in ORDER:
        if not tables[name]:
            doc.pair(name, [])  # an empty table, not a missing one: `load --prune` empties it
    doc.table("hub", {"base_topic": settings.MQTT_BASE_TOPIC, "language": hub_language()})
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


def table_entries(table: str) -> list[dict[str, Any]]:
    """One table's entries as ``dump`` writes them, in its order: by ``pk``, rules and routes
    by ``(position, pk)`` (the dashboard's settings pages edit these and load them back)."""
    return [entry for _, entry in _rows(table)]


def _rows(table: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, the entry's keys in file order) for each row of ``table``."""
    entry: dict[str, Any]
    if table == "sources":
        for s in Source.objects.exclude(name=MONITOR_SOURCE).order_by("pk"):  # built in, not configured
            yield s.name, _source(s)
    elif table == "subsystems":
        for sub in Subsystem.objects.order_by("pk"):
            yield sub.slug, {"slug": sub.slug, "name": sub.name}
    elif table == "departments":
        for d in Department.objects.select_related("subsystem").prefetch_related("quiet_hours").order_by("pk"):
            entry = {
                "slug": d.slug,
                "subsystem": d.subsystem.slug,
                "name": d.name,
                "timezone": d.timezone,
                "quiet_hours": _quiet_hours(d),
                "digest": _digest(d),
            }
            yield d.slug, _without_defaults(entry, timezone="", quiet_hours=[], digest=None)
    elif table == "staff":
        for p in Staff.objects.select_related("department").prefetch_related("shifts").order_by("pk"):
            entry = {
                "number": p.number,
                "name": p.name,
                "department": p.department.slug,
                "contact": p.contact,
                "timezone": p.timezone,
                "shifts": _shifts(p),
                "alerts": AlertRecipient.objects.filter(staff=p).exists(),
                "summary": p.summary or "off",
            }
            yield p.number, _without_defaults(entry, contact="", timezone="", shifts=[], alerts=False, summary="off")
    elif table == "categories":
        for c in Category.objects.order_by("pk"):
            entry = {
                "slug": c.slug,
                "name": c.name,
                "name_en": c.name_en,
                "priority": c.priority,
                "sound": c.sound,
                "expiry_seconds": c.expiry_seconds,
                "template_zh": c.template_zh,
                "template_en": c.template_en,
                "escalation": _escalation(c),
                "priority_sounds": dict(sorted(PrioritySound.objects.filter(category=c).values_list("priority", "sound"),
                                               key=lambda ps: RAISED_PRIORITIES.index(ps[0]))),
            }
            yield c.slug, _without_defaults(
                entry, name_en="", sound="", template_zh=DEFAULT_TEMPLATE, template_en=DEFAULT_TEMPLATE, escalation=None, priority_sounds={}
            )
    elif table == "rules":
        for r in Rule.objects.select_related("category").order_by("position", "pk"):
            entry = {
                "name": r.name,
                "category": r.category.slug if r.category is not None else None,
                "kind": r.kind,
                "patterns": r.patterns,
                "conditions": r.conditions,
                "priority": r.priority,
                "enabled": r.enabled,
            }
            yield r.name, _without_defaults(entry, category=None, patterns=[], conditions=[], priority="", enabled=True)
    elif table == "routes":
        for route in Route.objects.select_related("category", "department", "staff").order_by("position", "pk"):
            yield str(route), _route(route)
    elif table == "examples":
        for x in Example.objects.select_related("category").order_by("pk"):
            yield x.content[:40], {"content": x.content, "category": x.category.slug}
    elif table == "channels":
        for t in Target.objects.select_related("department", "staff").order_by("pk"):
            entry = {
                "name": t.name,
                "kind": t.kind,
                "department": t.department.slug if t.department else None,
                "staff": t.staff.number if t.staff else None,
                "url_env": t.url_env,
                "alerts": t.alerts,
                "per_minute": t.per_minute,
                "enabled": t.enabled,
            }
            yield t.name, _without_defaults(entry, department=None, staff=None, url_env="", alerts=False,
                                            per_minute=20, enabled=True)
    elif table == "nodes":
        for n in SpeakerNode.objects.select_related("department").prefetch_related("staff").order_by("pk"):
            entry = {
                "id": n.node_id,
                "department": n.department.slug,
                "staff": sorted(p.number for p in n.staff.all()),
                "description": n.description,
                "volume": n.volume,
                "enabled": n.enabled,
            }
            yield n.node_id, _without_defaults(entry, staff=[], description="", volume=80, enabled=True)


def _auth_in_order(auth: dict[str, Any]) -> dict[str, Any]:
    """``type``, then its keys as documented: PostgreSQL's jsonb keeps keys in its own order
    (shortest first), and a dump must read the same on either database."""
    required, optional = AUTH_TYPES.get(str(auth.get("type", "")), ((), ()))
    order = {key: i for i, key in enumerate(("type", *required, *optional))}
    return dict(sorted(auth.items(), key=lambda kv: order.get(kv[0], len(order))))


def _source(s: Source) -> dict[str, Any]:
    entry = {
        "name": s.name,
        "adapter": s.adapter,
        "url": s.url,
        "interval": format_interval(s.interval_seconds),
        "items": s.items_path,
        # no cursor parameter is written as no key (load reads it back as none)
        "cursor": {k: v for k, v in s.cursor_config.items() if not (k == "param" and v == "")},
        "fields": s.fields,
        "pagination": s.pagination,
        "auth": _auth_in_order(s.auth),
        "webhook": s.webhook,
        "enabled": s.enabled,
        "type": s.item_type,
        "language": s.language,
    }
    return _without_defaults(entry, pagination={}, auth={}, webhook={}, enabled=True, type="", language="")


def _route(route: Route) -> dict[str, Any]:
    entry: dict[str, Any] = {"category": route.category.slug}
    if route.department is not None:
        entry["department"] = route.department.slug
    elif route.staff is not None:
        entry["staff"] = route.staff.number
    else:
        entry["everyone"] = True
    if route.staff_mode:
        entry["staff_mode"] = route.staff_mode
    if route.continue_matching:
        entry["continue"] = True
    for name in ("source", "app", "min_priority"):
        if getattr(route, name):
            entry[name] = getattr(route, name)
    if route.min_amount is not None:
        amount = route.min_amount
        entry["min_amount"] = int(amount) if amount == amount.to_integral_value() else float(amount)
    return entry


def _escalation(category: Category) -> dict[str, Any] | None:
    policy = EscalationPolicy.objects.filter(category=category).select_related("escalate_to_department", "escalate_to_staff").first()
    if policy is None:
        return None
    entry: dict[str, Any] = {"after_minutes": policy.after_minutes, "repeat": policy.repeat}
    if policy.escalate_to_department is not None:
        entry["department"] = policy.escalate_to_department.slug
    if policy.escalate_to_staff is not None:
        entry["staff"] = policy.escalate_to_staff.number
    return entry


def _quiet_hours(department: Department) -> list[dict[str, Any]]:
    out = []
    for q in sorted(department.quiet_hours.all(), key=lambda q: (q.start, q.end, q.weekdays, q.timezone)):
        days = sorted(parse_weekdays(q.weekdays))
        window: dict[str, Any] = {"days": [WEEKDAYS[d] for d in days], "start": f"{q.start:%H:%M}", "end": f"{q.end:%H:%M}"}
        if q.timezone:
            window["timezone"] = q.timezone
        out.append(window)
    return out


def _digest(department: Department) -> dict[str, Any] | None:
    policy = DigestPolicy.objects.filter(department=department).first()
    if policy is None:
        return None
    return {"max_announcements": policy.max_announcements, "window_seconds": policy.window_seconds}


def _shifts(person: Staff) -> list[dict[str, Any]]:
    """Shifts with the same hours share one entry, its days in week order."""
    by_hours: dict[tuple[str, str], list[str]] = {}
    for s in sorted(person.shifts.all(), key=lambda s: (s.weekday, s.start)):
        by_hours.setdefault((f"{s.start:%H:%M}", f"{s.end:%H:%M}"), []).append(WEEKDAYS[s.weekday])
    return [{"days": days, "start": start, "end": end} for (start, end), days in by_hours.items()]


def _without_defaults(entry: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """``entry`` less the keys whose value is the one the loader assumes when the key is missing."""
    return {k: v for k, v in entry.items() if k not in defaults or v != defaults[k]}
