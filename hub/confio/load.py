"""Apply a checked :class:`~hub.confio.schema.Config` to the database, in one transaction.

- Rows are matched by natural key: subsystem, department and category
  ``slug``; staff ``number``; rule ``name``; source ``name``; node ``id``; a
  route by its category and target.
- A row is saved only when a value differs, so loading the same file twice
  writes nothing the second time.
- Rules and routes are ordered: the file's order becomes their position.
- A table the file does not have is left alone. Rows of a table the file has
  but that the file does not name are kept and reported (rules and routes move
  after the file's, in their old order); with ``prune`` they are deleted,
  unless that would lose stored messages.
- A source's cursor, ETag and health are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from hub.intake.models import ADAPTERS, Message, Source, default_cursor, default_fields
from hub.attention.models import DigestPolicy, EscalationPolicy, QuietHours
from hub.monitor.models import MONITOR_SOURCE, AlertRecipient
from hub.notify.models import Target
from hub.org.models import Department, SpeakerNode, Staff, StaffShift, Subsystem
from hub.org.shifts import WEEKDAYS, parse_weekdays
from hub.rules.classify import DEFAULT_CATEGORY
from hub.rules.learned import digest
from hub.rules.models import Category, Example, Route, Rule
from hub.simulator import SOURCE_PRESET
from hub.sounds.language import SPOKEN_LANGUAGES, hub_language, set_hub_language
from hub.sounds.models import PrioritySound

from .values import POSITION_STEP, category_values, route_values, rule_values
from .errors import ApplyError, ConfigFileError
from .parse import check_references
from .report import Report, TableReport
from .schema import CategoryEntry, Config, DepartmentEntry, ShiftEntry, SourceEntry

M = TypeVar("M", bound=models.Model)

# model field -> the key the file calls it
FILE_KEYS = {
    "subsystem_id": "subsystem",
    "department_id": "department",
    "staff_id": "staff",
    "category_id": "category",
    "interval_seconds": "interval",
    "items_path": "items",
    "cursor_config": "cursor",
    "continue_matching": "continue",
    "node_id": "id",
    "item_type": "type",
}
MODELS: dict[str, type[models.Model]] = {
    "subsystems": Subsystem,
    "departments": Department,
    "staff": Staff,
    "categories": Category,
    "rules": Rule,
    "routes": Route,
    "sources": Source,
    "nodes": SpeakerNode,
    "examples": Example,
    "channels": Target,
}


def apply_config(config: Config, *, prune: bool = False, dry_run: bool = False) -> Report:
    """Make the database say what ``config`` says; returns what changed.

    Raises :class:`ConfigFileError` (the file does not fit this hub or database)
    or :class:`ApplyError` (``prune`` would lose data); either way nothing is written.
    ``dry_run`` does everything, reports, and rolls back.
    """
    report = Report(origin=config.origin, dry_run=dry_run)
    with transaction.atomic():
        _Loader(config, prune, report).run()
        if dry_run:
            transaction.set_rollback(True)
    return report


class _Loader:
    def __init__(self, config: Config, prune: bool, report: Report) -> None:
        self.config = config
        self.prune = prune
        self.report = report

    def run(self) -> None:
        self.check_hub()
        check_references(self.config, self.elsewhere())
        self.subsystems()
        self.departments()
        self.staff()
        self.categories()
        self.rules()
        self.routes()
        self.sources()
        self.nodes()
        self.examples()
        self.channels()
        if self.prune:
            self.delete_rows_not_in_file()

    # -- checks against this hub ----------------------------------------------------------------
    def check_hub(self) -> None:
        hub = self.config.hub
        running = settings.MQTT_BASE_TOPIC
        if hub.base_topic is not None and hub.base_topic != running:
            raise ConfigFileError(
                self.config.origin,
                "hub.base_topic",
                f"{hub.base_topic!r}, but this hub runs with SHOPCRIER_BASE_TOPIC={running!r}. The base topic is "
                "set in the environment: set it there and restart, or take base_topic out of the file",
            )
        if hub.language is not None:
            self.language(hub.language)

    def language(self, language: str) -> None:
        """Store ``[hub].language``, the language of the hub's own spoken prompts (hub.sounds.language)."""
        if language not in SPOKEN_LANGUAGES:
            raise ConfigFileError(
                self.config.origin, "hub.language",
                f"{language!r}: the hub's own prompts are worded in {' or '.join(SPOKEN_LANGUAGES)}",
            )
        before = hub_language()
        stats = self.report.table("hub")
        if set_hub_language(language):
            stats.updated.append(("language", ("language",)))
            self.report.notes.append(f"hub.language: {before!r} -> {language!r}")
        else:
            stats.unchanged += 1

    def elsewhere(self) -> dict[str, set[str]]:
        """Names that exist outside the file and will still exist after the load."""
        out: dict[str, set[str]] = {}
        for table, field in (("subsystems", "slug"), ("departments", "slug"), ("staff", "number"), ("categories", "slug")):
            if self.prune and getattr(self.config, table) is not None:
                continue
            out[table] = set(MODELS[table]._default_manager.values_list(field, flat=True))
        return out

    # -- one row --------------------------------------------------------------------------------
    def sync(
        self,
        table: str,
        model: type[M],
        lookup: dict[str, Any],
        values: dict[str, Any],
        at: str,
        label: str,
        many: dict[str, set[int]] | None = None,
    ) -> M:
        """Create or update the row ``lookup`` names so it holds ``values`` (and the many-to-many
        ``many``: field -> related pks); save only what differs."""
        stats = self.report.table(table)
        # an empty lookup means a new row (a route the database does not have yet)
        obj = model._default_manager.filter(**lookup).first() if lookup else None
        created = obj is None
        changed: list[str] = []
        if obj is None:
            obj = model(**lookup, **values)
            self.clean(obj, at)
            obj.save()
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                self.clean(obj, at)
                obj.save(update_fields=changed)
        for name, wanted in (many or {}).items():
            related = getattr(obj, name)
            if set(related.values_list("pk", flat=True)) != wanted:
                related.set(wanted)
                changed.append(name)
        if created:
            stats.created.append(label)
        elif changed:
            stats.updated.append((label, tuple(dict.fromkeys(FILE_KEYS.get(n, n) for n in changed))))
        else:
            stats.unchanged += 1
        return obj

    def clean(self, obj: models.Model, at: str) -> None:
        """The model's own checks (lengths, URLs, choices), reported at the file's key."""
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            where = at if name == NON_FIELD_ERRORS else f"{at}.{FILE_KEYS.get(name + '_id', FILE_KEYS.get(name, name))}"
            raise ConfigFileError(self.config.origin, where, " ".join(messages)) from None

    @staticmethod
    def ids(model: type[models.Model], field: str) -> dict[str, int]:
        return {key: pk for key, pk in model._default_manager.values_list(field, "pk")}

    # -- tables ------------------------------------------------------------------------------------
    def subsystems(self) -> None:
        for e in self.config.subsystems or ():
            self.sync("subsystems", Subsystem, {"slug": e.slug}, {"name": e.name}, e.at, e.slug)

    def departments(self) -> None:
        subsystems = self.ids(Subsystem, "slug")
        for e in self.config.departments or ():
            values = {"name": e.name, "subsystem_id": subsystems[e.subsystem], "timezone": e.timezone}
            department = self.sync("departments", Department, {"slug": e.slug}, values, e.at, e.slug)
            self.quiet_and_digest(department, e)

    def staff(self) -> None:
        departments = self.ids(Department, "slug")
        for e in self.config.staff or ():
            values = {
                "name": e.name,
                "department_id": departments[e.department],
                "contact": e.contact,
                "timezone": e.timezone,
                "summary": "" if e.summary == "off" else e.summary,
            }
            person = self.sync("staff", Staff, {"number": e.number}, values, e.at, e.number)
            self.shifts(person, e.shifts, e.number)
            self.alerts(person, e.alerts, e.number)

    def shifts(self, person: Staff, shifts: tuple[ShiftEntry, ...], label: str) -> None:
        """Make the staff member's weekly shifts the file's; reported as an update of ``shifts``."""
        have = {(s.weekday, s.start, s.end) for s in person.shifts.all()}
        want = {(s.weekday, s.start, s.end) for s in shifts}
        if have == want:
            return
        person.shifts.all().delete()
        StaffShift.objects.bulk_create([StaffShift(staff=person, weekday=d, start=a, end=b) for d, a, b in sorted(want)])
        self.also_changed("staff", label, "shifts")

    def also_changed(self, table: str, label: str, key: str) -> None:
        """Report ``key`` of the row ``label`` as updated (a setting kept in another table)."""
        stats = self.report.table(table)
        if label in stats.created:
            return
        if stats.unchanged and not any(name == label for name, _ in stats.updated):
            stats.unchanged -= 1
        updated = dict(stats.updated)
        stats.updated = [(n, k) for n, k in stats.updated if n != label]
        stats.updated.append((label, tuple(updated.get(label, ())) + (key,)))

    def alerts(self, person: Staff, wanted: bool, label: str) -> None:
        has = AlertRecipient.objects.filter(staff=person).exists()
        if has == wanted:
            return
        if wanted:
            AlertRecipient.objects.create(staff=person)
        else:
            AlertRecipient.objects.filter(staff=person).delete()
        self.also_changed("staff", label, "alerts")

    def escalation(self, category: Category, e: CategoryEntry) -> None:
        """The category's escalation policy as the file says; none when it has no ``escalation``."""
        policy = EscalationPolicy.objects.filter(category=category).first()
        if e.escalation is None:
            if policy is not None:
                policy.delete()
                self.also_changed("categories", e.slug, "escalation")
            return
        departments, staff = self.ids(Department, "slug"), self.ids(Staff, "number")
        values = {
            "after_minutes": e.escalation.after_minutes,
            "repeat": e.escalation.repeat,
            "escalate_to_department_id": departments[e.escalation.department] if e.escalation.department else None,
            "escalate_to_staff_id": staff[e.escalation.staff] if e.escalation.staff else None,
        }
        if policy is None:
            EscalationPolicy.objects.create(category=category, **values)
        elif any(getattr(policy, k) != v for k, v in values.items()):
            EscalationPolicy.objects.filter(pk=policy.pk).update(**values)
        else:
            return
        self.also_changed("categories", e.slug, "escalation")

    def quiet_and_digest(self, department: Department, e: DepartmentEntry) -> None:
        """The department's quiet hours and digest policy as the file says."""
        have = {
            (",".join(WEEKDAYS[d] for d in sorted(parse_weekdays(q.weekdays))), q.start, q.end, q.timezone)
            for q in QuietHours.objects.filter(department=department)
        }
        want = {(",".join(q.days), q.start, q.end, q.timezone) for q in e.quiet_hours}
        if have != want:
            QuietHours.objects.filter(department=department).delete()
            QuietHours.objects.bulk_create(
                [QuietHours(department=department, weekdays=d, start=a, end=b, timezone=z) for d, a, b, z in sorted(want)]
            )
            self.also_changed("departments", e.slug, "quiet_hours")
        policy = DigestPolicy.objects.filter(department=department).first()
        if e.digest is None:
            if policy is not None:
                policy.delete()
                self.also_changed("departments", e.slug, "digest")
            return
        values = {"max_announcements": e.digest.max_announcements, "window_seconds": e.digest.window_seconds}
        if policy is None:
            DigestPolicy.objects.create(department=department, **values)
        elif any(getattr(policy, k) != v for k, v in values.items()):
            DigestPolicy.objects.filter(pk=policy.pk).update(**values)
        else:
            return
        self.also_changed("departments", e.slug, "digest")

    def categories(self) -> None:
        for e in self.config.categories or ():
            category = self.sync("categories", Category, {"slug": e.slug}, category_values(e), e.at, e.slug)
            self.escalation(category, e)
            self.priority_sounds(category, e)

    def priority_sounds(self, category: Category, e: CategoryEntry) -> None:
        """The category's sounds per raised priority as the file says; none when it has no ``priority_sounds``."""
        have = set(PrioritySound.objects.filter(category=category).values_list("priority", "sound"))
        if have == set(e.priority_sounds):
            return
        PrioritySound.objects.filter(category=category).delete()
        PrioritySound.objects.bulk_create([PrioritySound(category=category, priority=p, sound=s) for p, s in e.priority_sounds])
        self.also_changed("categories", e.slug, "priority_sounds")

    def rules(self) -> None:
        if self.config.rules is None:
            return
        before = self.rule_order()
        if self.config.keyword_rules_only:
            self.keyword_rules()
        else:
            categories = self.ids(Category, "slug")
            in_file = {e.name for e in self.config.rules}
            for position, e in enumerate(self.config.rules, start=1):
                self.sync("rules", Rule, {"name": e.name}, rule_values(e, position, categories), e.at, e.name)
            others = [r for r in Rule.objects.order_by("position", "id") if r.name not in in_file]
            self.keep_after(self.report.table("rules"), others, len(self.config.rules), lambda r: r.name)
        after = self.rule_order()
        if before and after != before:
            self.report.notes.append("rules are now in this order: " + ", ".join(after))

    @staticmethod
    def rule_order() -> list[str]:
        return list(Rule.objects.order_by("position", "id").values_list("name", flat=True))

    def keyword_rules(self) -> None:
        """A file whose only rules are categories' ``keywords``: each keeps its place (a new
        one goes last); changing a category's words does not move its rule ahead of others."""
        categories = self.ids(Category, "slug")
        last = max(Rule.objects.values_list("position", flat=True), default=0)
        for e in self.config.rules or ():
            values = rule_values(e, 0, categories)
            row = Rule.objects.filter(name=e.name).first()
            if row is not None:
                values["position"] = row.position
            else:
                last += POSITION_STEP
                values["position"] = last
            self.sync("rules", Rule, {"name": e.name}, values, e.at, e.name)

    def keep_after(self, stats: TableReport, rows: list[Any], after: int, label: Callable[[Any], str]) -> None:
        """Rows of an ordered table that the file does not name: listed, and (unless pruned) moved
        after the file's rows in their old order."""
        for position, row in enumerate(rows, start=after + 1):
            if self.prune:
                continue
            stats.kept.append(label(row))
            if row.position != position * POSITION_STEP:
                row.position = position * POSITION_STEP
                row.save(update_fields=["position"])
                stats.moved.append(label(row))

    def routes(self) -> None:
        if self.config.routes is None:
            return
        existing: dict[tuple[str, str, str], Route] = {}
        others: list[Route] = []
        for row in Route.objects.select_related("category", "department", "staff").order_by("position", "id"):
            key = route_key(row)
            if key in existing:
                others.append(row)  # a second row with the same target: the file cannot name it
            else:
                existing[key] = row
        categories, departments, staff = self.ids(Category, "slug"), self.ids(Department, "slug"), self.ids(Staff, "number")
        in_file = {e.key for e in self.config.routes}
        for position, e in enumerate(self.config.routes, start=1):
            values = route_values(e, position, categories, departments, staff)
            match = existing.get(e.key)
            lookup = {"pk": match.pk} if match is not None else {}
            self.sync("routes", Route, lookup, values, e.at, route_label(e.key))
        others += [row for key, row in existing.items() if key not in in_file]
        others.sort(key=lambda r: (r.position, r.pk))
        self.keep_after(self.report.table("routes"), others, len(self.config.routes), lambda r: route_label(route_key(r)))

    def sources(self) -> None:
        known = [name for name, _ in ADAPTERS]
        for e in self.config.sources or ():
            if e.adapter not in known:
                raise ConfigFileError(
                    self.config.origin, f"{e.at}.adapter", f"{e.adapter!r} is not one of {', '.join(known)}"
                )
            self.sync("sources", Source, {"name": e.name}, source_values(e), e.at, e.name)

    def nodes(self) -> None:
        departments, staff = self.ids(Department, "slug"), self.ids(Staff, "number")
        for e in self.config.nodes or ():
            values = {
                "department_id": departments[e.department],
                "description": e.description,
                "volume": e.volume,
                "enabled": e.enabled,
            }
            many = {"staff": {staff[number] for number in e.staff}}
            self.sync("nodes", SpeakerNode, {"node_id": e.node_id}, values, e.at, e.node_id, many)

    def examples(self) -> None:
        categories = self.ids(Category, "slug")
        for e in self.config.examples or ():
            values = {"content": e.content, "category_id": categories[e.category]}
            self.sync("examples", Example, {"digest": digest(e.content)}, values, e.at, e.content[:40])

    def channels(self) -> None:
        departments, staff = self.ids(Department, "slug"), self.ids(Staff, "number")
        for e in self.config.channels or ():
            values = {
                "kind": e.kind,
                "department_id": departments[e.department] if e.department else None,
                "staff_id": staff[e.staff] if e.staff else None,
                "url_env": e.url_env,
                "alerts": e.alerts,
                "per_minute": e.per_minute,
                "enabled": e.enabled,
            }
            self.sync("channels", Target, {"name": e.name}, values, e.at, e.name)

    # -- prune ----------------------------------------------------------------------------------------
    def delete_rows_not_in_file(self) -> None:
        keys = {
            "subsystems": ("slug", {e.slug for e in self.config.subsystems or ()}),
            "departments": ("slug", {e.slug for e in self.config.departments or ()}),
            "staff": ("number", {e.number for e in self.config.staff or ()}),
            "categories": ("slug", {e.slug for e in self.config.categories or ()}),
            "rules": ("name", {e.name for e in self.config.rules or ()}),
            "sources": ("name", {e.name for e in self.config.sources or ()} | {MONITOR_SOURCE}),  # built in
            "nodes": ("node_id", {e.node_id for e in self.config.nodes or ()}),
            "examples": ("digest", {digest(e.content) for e in self.config.examples or ()}),
            "channels": ("name", {e.name for e in self.config.channels or ()}),
        }
        # the tables that refer to others go first
        for table in ("channels", "examples", "nodes", "routes", "rules", "sources", "staff", "departments", "categories", "subsystems"):
            if getattr(self.config, table) is None:
                continue
            if table == "rules" and self.config.keyword_rules_only:
                continue  # categories' keywords name their own rules, not every rule
            if table == "routes":
                self.delete_routes_not_in_file()
                continue
            field, names = keys[table]
            rows = MODELS[table]._default_manager.exclude(**{f"{field}__in": names}).order_by("pk")
            for row in rows:
                self.delete(table, row, getattr(row, field))

    def delete_routes_not_in_file(self) -> None:
        in_file = {e.key for e in self.config.routes or ()}
        claimed: set[tuple[str, str, str]] = set()
        for row in Route.objects.select_related("category", "department", "staff").order_by("position", "id"):
            key = route_key(row)
            if key in in_file and key not in claimed:
                claimed.add(key)
                continue
            self.delete("routes", row, route_label(key))

    def delete(self, table: str, row: models.Model, label: str) -> None:
        self.refuse_to_lose_messages(table, row, label)
        try:
            _, counts = row.delete()
        except ProtectedError as exc:
            users = ", ".join(sorted(str(o) for o in exc.protected_objects)[:5])
            raise ApplyError(f"{table}: cannot delete {label!r}: still used by {users}") from None
        self.report.table(table).deleted.append(label)
        own = row._meta.label
        also = [f"{n} {model.rsplit('.', 1)[-1].lower()}" for model, n in counts.items() if model != own and n]
        if also:
            self.report.notes.append(f"deleting {table} {label} also deleted {', '.join(also)}")

    def refuse_to_lose_messages(self, table: str, row: models.Model, label: str) -> None:
        if table == "categories" and getattr(row, "slug") == DEFAULT_CATEGORY:
            raise ApplyError(
                f"categories: will not delete {DEFAULT_CATEGORY!r}: messages no rule recognises go there. "
                "Keep it in the file"
            )
        stored = 0
        if table == "sources":
            stored = Message.objects.filter(source=row.pk).count()
        elif table == "categories":
            stored = Message.objects.filter(category=row.pk).count()
        if stored:
            hint = "set enabled = false instead" if table == "sources" else "reports would lose them"
            raise ApplyError(f"{table}: will not delete {label!r}: {stored} stored messages belong to it ({hint})")


def source_values(e: SourceEntry) -> dict[str, Any]:
    """The Source fields a file entry sets. What the entry leaves out takes the adapter's defaults."""
    preset: dict[str, Any] = {"items_path": "data.items", "cursor_config": default_cursor(), "fields": default_fields()}
    if e.adapter == "simulator":
        preset.update(SOURCE_PRESET)
    return {
        "adapter": e.adapter,
        "url": e.url,
        "interval_seconds": e.interval_seconds,
        "items_path": e.items_path if e.items_path is not None else preset["items_path"],
        "cursor_config": e.cursor if e.cursor is not None else dict(preset["cursor_config"]),
        "fields": e.fields if e.fields is not None else dict(preset["fields"]),
        "pagination": e.pagination,
        "auth": e.auth,
        "webhook": e.webhook,
        "enabled": e.enabled,
        "item_type": e.item_type,
        "language": e.language,
    }


def route_key(row: Route) -> tuple[str, str, str]:
    if row.department is not None:
        return (row.category.slug, row.staff_mode or "department", row.department.slug)
    if row.staff is not None:
        return (row.category.slug, "staff", row.staff.number)
    return (row.category.slug, "everyone", "")


def route_label(key: tuple[str, str, str]) -> str:
    category, kind, target = key
    if kind == "department":
        return f"{category}→{target}"
    if kind in ("on_duty", "round_robin"):
        return f"{category}→{target} ({kind})"
    return f"{category}→{kind} {target}".rstrip()

