"""Read a configuration file strictly into a :class:`~hub.confio.schema.Config`.

Everything that can be checked without the database is checked here: the
TOML itself, unknown keys, types, ranges, slugs, intervals, inline secrets,
regular expressions, duplicates, and that names refer to something in the
file. :func:`check_references` then checks names against what the database
holds besides. Any problem raises :class:`ConfigFileError` naming the file,
the table, the index (from 0) and the key.
"""

from __future__ import annotations

import re
import stat
import tomllib
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from mqtt import PRIORITIES, PayloadError
from mqtt.fields import LANG_RE
from mqtt.topics import check_base
from hub.intake.interval import MAX_SECONDS
from hub.org.shifts import WEEKDAYS
from hub.rules.classify import KINDS, RuleError, compile_rule
from hub.rules.learned import digest
from hub.rules.templates import TemplateError, check_template

from . import source_tables
from .errors import ConfigFileError
from .reader import REQUIRED, Table, entries, toml_type
from .schema import (
    TABLES,
    CategoryEntry,
    ChannelEntry,
    Config,
    DepartmentEntry,
    DigestEntry,
    EscalationEntry,
    ExampleEntry,
    QuietEntry,
    HubTable,
    NodeEntry,
    RouteEntry,
    RuleEntry,
    ShiftEntry,
    SourceEntry,
    StaffEntry,
    SubsystemEntry,
)

MAX_FILE_BYTES = 1024 * 1024
RULE_KINDS = KINDS
STAFF_MODES = ("on_duty", "round_robin")
SUMMARIES = ("off", "daily", "weekly")  # Staff.summary: "" is off
MAX_AMOUNT = Decimal("999999999999.99")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\Z")
KEYWORDS_RULE = "{slug}-keywords"
_TOML_LINE = re.compile(r"at line (\d+)")

T = TypeVar("T")


# -- the file -------------------------------------------------------------------------------
def read_config(path: Path | str) -> Config:
    """Read and check the file at ``path``."""
    origin = str(path)
    return parse_text(_read_text(Path(path), origin), origin)


def _read_text(path: Path, origin: str) -> str:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ConfigFileError(origin, None, "is a directory, not a configuration file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigFileError(origin, None, "is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigFileError(origin, None, f"is {info.st_size} bytes (at most {MAX_FILE_BYTES}): is it the right file?")
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigFileError(origin, None, "no such file") from None
    except OSError as exc:
        raise ConfigFileError(origin, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:  # it grew while we looked
        raise ConfigFileError(origin, None, f"is over {MAX_FILE_BYTES} bytes: is it the right file?")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(origin, None, f"is not UTF-8 ({exc.reason} at byte {exc.start})") from None


def parse_text(text: str, origin: str = "<text>") -> Config:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(origin, None, f"not valid TOML: {_describe_toml_error(exc, text)}") from None
    except RecursionError:
        raise ConfigFileError(origin, None, "not acceptable TOML: arrays or tables nested too deeply") from None
    return parse_config(document, origin)


def _describe_toml_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message and the offending line, which shows the key that broke."""
    match = _TOML_LINE.search(str(exc))
    lines = text.splitlines()
    if not match or not 1 <= int(match.group(1)) <= len(lines):
        return str(exc)
    line = lines[int(match.group(1)) - 1].strip()
    return f"{exc}: {line[:120]!r}"


# -- the document ----------------------------------------------------------------------------
def parse_config(document: Mapping[str, Any], origin: str = "<config>") -> Config:
    """Check a parsed TOML document and type it."""
    top = Table(origin, "", document)
    top.check_keys(("hub", *TABLES))
    categories_with_keywords = _table(origin, document, "categories", _category)
    categories = None if categories_with_keywords is None else tuple(c for c, _ in categories_with_keywords)
    rules = _rules(origin, document, categories_with_keywords)
    config = Config(
        origin=origin,
        hub=_hub(top),
        subsystems=_table(origin, document, "subsystems", _subsystem),
        departments=_table(origin, document, "departments", _department),
        staff=_table(origin, document, "staff", _staff),
        categories=categories,
        rules=rules,
        routes=_routes(origin, document),
        sources=_table(origin, document, "sources", _source),
        nodes=_table(origin, document, "nodes", _node),
        examples=_table(origin, document, "examples", _example),
        channels=_table(origin, document, "channels", _channel),
        keyword_rules_only=rules is not None and entries(origin, document, "rules") is None,
    )
    _refuse_duplicates(config)
    return config


def _table(origin: str, document: Mapping[str, Any], name: str, read: Callable[[Table], T]) -> tuple[T, ...] | None:
    tables = entries(origin, document, name)
    return None if tables is None else tuple(read(t) for t in tables)


def _hub(top: Table) -> HubTable:
    table = top.sub("hub")
    if table is None:
        return HubTable()
    table.check_keys(("base_topic", "language"))
    base = table.text("base_topic") if table.has("base_topic") else None
    if base is not None:
        try:
            check_base(base)
        except PayloadError as exc:
            raise table.error("base_topic", exc.reason) from None
    language = table.text("language") if table.has("language") else None
    if language is not None and not LANG_RE.match(language):
        raise table.error("language", f"{language!r} is not a language code like zh or en")
    return HubTable(base_topic=base, language=language)


# -- organisation ------------------------------------------------------------------------------
def _subsystem(t: Table) -> SubsystemEntry:
    t.check_keys(("slug", "name"))
    return SubsystemEntry(slug=t.slug("slug"), name=t.text("name"), at=t.at)


def _department(t: Table) -> DepartmentEntry:
    t.check_keys(("slug", "subsystem", "name", "timezone", "quiet_hours", "digest"))
    return DepartmentEntry(
        slug=t.slug("slug"),
        subsystem=t.slug("subsystem"),
        name=t.text("name"),
        timezone=_timezone(t),
        quiet_hours=_quiet_hours(t),
        digest=_digest(t),
        at=t.at,
    )


def _quiet_hours(t: Table) -> tuple[QuietEntry, ...]:
    """``quiet_hours = [{ days = ["fri"], start = "22:00", end = "07:00", timezone = "Asia/Shanghai" }, …]``."""
    value = t.raw("quiet_hours", [])
    if not isinstance(value, list):
        raise t.error("quiet_hours", f"must be an array of tables, not {toml_type(value)}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise t.error(f"quiet_hours[{i}]", f"must be a table {{ days, start, end }}, not {toml_type(item)}")
        window = Table(t.origin, t.where(f"quiet_hours[{i}]"), item)
        window.check_keys(("days", "start", "end", "timezone"))
        days = window.strings("days", max_items=7) if window.has("days") else WEEKDAYS
        for day in days:
            if day not in WEEKDAYS:
                raise window.error("days", f"{day!r} is not one of {', '.join(WEEKDAYS)}")
        ordered = tuple(d for d in WEEKDAYS if d in days)
        out.append(QuietEntry(ordered, _clock(window, "start"), _clock(window, "end"), _timezone(window)))
    return tuple(out)


def _digest(t: Table) -> DigestEntry | None:
    table = t.sub("digest")
    if table is None:
        return None
    table.check_keys(("max_announcements", "window_seconds"))
    return DigestEntry(
        max_announcements=table.integer("max_announcements", 5, low=1, high=10_000),
        window_seconds=table.integer("window_seconds", 60, low=1, high=86_400),
    )


def _escalation(t: Table) -> EscalationEntry | None:
    table = t.sub("escalation")
    if table is None:
        return None
    table.check_keys(("after_minutes", "repeat", "department", "staff"))
    if table.has("department") and table.has("staff"):
        raise table.error("staff", "escalate to a department or to a staff member, not both")
    return EscalationEntry(
        after_minutes=table.integer("after_minutes", 5, low=1, high=10_080),
        repeat=table.integer("repeat", 2, low=0, high=100),
        department=table.slug("department") if table.has("department") else None,
        staff=table.slug("staff") if table.has("staff") else None,
    )


def _staff(t: Table) -> StaffEntry:
    t.check_keys(("number", "name", "department", "contact", "timezone", "shifts", "alerts", "summary"))
    return StaffEntry(
        number=t.slug("number"),
        name=t.text("name"),
        department=t.slug("department"),
        contact=t.text("contact", "", empty=True),
        timezone=_timezone(t),
        shifts=_shifts(t),
        alerts=t.boolean("alerts", False),
        summary=t.choice("summary", SUMMARIES, "off"),
        at=t.at,
    )


def _timezone(t: Table) -> str:
    name = t.text("timezone", "", max_len=64, empty=True)
    if name:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise t.error("timezone", f"{name!r} is not a time zone name like Asia/Shanghai") from None
    return name


def _shifts(t: Table) -> tuple[ShiftEntry, ...]:
    """``shifts = [{ days = ["mon", "tue"], start = "09:00", end = "18:00" }, …]``; ``days`` may be one string."""
    value = t.raw("shifts", [])
    if not isinstance(value, list):
        raise t.error("shifts", f"must be an array of tables, not {toml_type(value)}")
    out: list[ShiftEntry] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise t.error(f"shifts[{i}]", f"must be a table {{ days, start, end }}, not {toml_type(item)}")
        shift = Table(t.origin, t.where(f"shifts[{i}]"), item)
        shift.check_keys(("days", "start", "end"))
        days = shift.strings("days", max_items=7)
        for day in days:
            if day not in WEEKDAYS:
                raise shift.error("days", f"{day!r} is not one of {', '.join(WEEKDAYS)}")
        start, end = _clock(shift, "start"), _clock(shift, "end")
        out += [ShiftEntry(WEEKDAYS.index(day), start, end) for day in days]
    seen: set[tuple[int, time]] = set()
    for s in out:
        if (s.weekday, s.start) in seen:
            raise t.error("shifts", f"two shifts start on {WEEKDAYS[s.weekday]} at {s.start:%H:%M}")
        seen.add((s.weekday, s.start))
    return tuple(out)


def _clock(t: Table, key: str) -> time:
    value = t.raw(key, REQUIRED)
    if isinstance(value, time) and value.tzinfo is None:
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str) and _CLOCK.match(value):
        return time(int(value[:2]), int(value[3:]))
    raise t.error(key, f"must be a time of day like \"09:00\", not {value!r}")


def _node(t: Table) -> NodeEntry:
    t.check_keys(("id", "department", "staff", "description", "volume", "enabled"))
    return NodeEntry(
        node_id=t.slug("id"),
        department=t.slug("department"),
        staff=t.strings("staff", slugs=True) if t.has("staff") else (),
        description=t.text("description", "", empty=True),
        volume=t.integer("volume", 80, low=0, high=100),
        enabled=t.boolean("enabled", True),
        at=t.at,
    )


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}\Z")


def _channel(t: Table) -> ChannelEntry:
    from hub.notify.base import kinds  # the channel packages present (no Django needed)

    t.check_keys(("name", "kind", "department", "staff", "url_env", "alerts", "per_minute", "enabled"),
                 secret_words=("url",))
    kind = t.text("kind")
    if kind not in kinds():
        raise t.error("kind", f"{kind!r} is not a channel ShopCrier has (have: {', '.join(kinds())})")
    department = t.slug("department") if t.has("department") else None
    staff = t.slug("staff") if t.has("staff") else None
    if (department is None) == (staff is None):
        raise t.error(None, "give a department (its group) or a staff member (their own channel), not both")
    url_env = t.text("url_env", "", empty=True)
    if kind == "apprise" and not url_env:
        raise t.error("url_env", "an apprise channel names the environment variable that holds its URL")
    if url_env and not _ENV_NAME.match(url_env):
        raise t.error("url_env", f"{url_env!r} is not an environment variable name (letters, digits and _)")
    return ChannelEntry(
        name=t.slug("name"), kind=kind, department=department, staff=staff, url_env=url_env,
        alerts=t.boolean("alerts", False), per_minute=t.integer("per_minute", 20, low=1, high=1000),
        enabled=t.boolean("enabled", True), at=t.at,
    )


def _example(t: Table) -> ExampleEntry:
    t.check_keys(("content", "category"))
    return ExampleEntry(content=t.text("content", max_len=10_000), category=t.slug("category"), at=t.at)


# -- recognition and routing --------------------------------------------------------------------
def _category(t: Table) -> tuple[CategoryEntry, tuple[str, ...]]:
    """The category and its ``keywords`` shorthand (empty when it has none)."""
    t.check_keys(
        ("slug", "name", "name_en", "priority", "sound", "expiry_seconds", "expiry", "keywords", "template_zh", "template_en", "escalation",
         "priority_sounds")
    )
    if t.has("expiry") and t.has("expiry_seconds"):
        raise t.error("expiry", "give expiry or expiry_seconds, not both")
    if t.has("expiry"):
        expiry = source_tables.interval(t, "expiry", "30m")
    else:
        expiry = t.integer("expiry_seconds", 1800, low=1, high=MAX_SECONDS)
    category = CategoryEntry(
        slug=t.slug("slug"),
        name=t.text("name"),
        name_en=t.text("name_en", "", max_len=200, empty=True).strip(),
        priority=t.choice("priority", PRIORITIES, "normal"),
        sound=t.slug("sound") if t.text("sound", "", empty=True) else "",  # speakers refuse a sound name that is not a slug
        expiry_seconds=expiry,
        template_zh=_template(t, "template_zh"),
        template_en=_template(t, "template_en"),
        escalation=_escalation(t),
        priority_sounds=_priority_sounds(t),
        at=t.at,
    )
    keywords = t.strings("keywords", max_len=200) if t.has("keywords") else ()
    if keywords:
        _compile(t, "keywords", KEYWORDS_RULE.format(slug=category.slug), "keyword", keywords, category.slug)
    return category, keywords


RAISED_PRIORITIES = ("high", "urgent")


def _priority_sounds(t: Table) -> tuple[tuple[str, str], ...]:
    """``priority_sounds = { urgent = "alarm" }``: the sound a raised priority plays instead of ``sound``."""
    table = t.sub("priority_sounds")
    if table is None:
        return ()
    table.check_keys(RAISED_PRIORITIES)
    return tuple((p, table.slug(p)) for p in RAISED_PRIORITIES if table.has(p))


def _template(t: Table, key: str) -> str:
    template = t.text(key, "{content}", max_len=500)
    try:
        check_template(template)
    except TemplateError as exc:
        raise t.error(key, str(exc)) from None
    return template


def _rule(t: Table) -> RuleEntry:
    t.check_keys(("name", "category", "kind", "patterns", "enabled", "priority", "conditions"))
    kind = t.choice("kind", RULE_KINDS)
    if kind == "field" and t.has("patterns"):
        raise t.error("patterns", "a field rule has conditions, not patterns")
    conditions = t.raw("conditions", [])
    if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
        raise t.error("conditions", "must be an array of tables { path, op, value }")
    rule = RuleEntry(
        name=t.text("name", max_len=100),
        category=t.slug("category") if t.has("category") else None,
        kind=kind,
        patterns=() if kind == "field" else t.strings("patterns"),
        enabled=t.boolean("enabled", True),
        priority=t.choice("priority", PRIORITIES) if t.has("priority") else None,
        conditions=tuple(dict(c) for c in conditions),
        at=t.at,
    )
    key = "conditions" if kind == "field" or rule.conditions else "patterns"
    if rule.category is None and rule.priority is None:
        raise t.error("category", "give a category, a priority, or both")
    _compile(t, key, rule.name, rule.kind, rule.patterns, rule.category, rule.conditions, rule.priority)
    return rule


def _compile(
    t: Table,
    key: str,
    name: str,
    kind: str,
    patterns: tuple[str, ...],
    category: str | None,
    conditions: tuple[dict[str, Any], ...] = (),
    priority: str | None = None,
) -> None:
    try:
        compile_rule(name, kind, list(patterns), category, conditions=list(conditions), priority=priority)
    except RuleError as exc:
        raise t.error(key, str(exc)) from None


def _rules(
    origin: str, document: Mapping[str, Any], categories: tuple[tuple[CategoryEntry, tuple[str, ...]], ...] | None
) -> tuple[RuleEntry, ...] | None:
    """``[[rules]]`` in file order, then one keyword rule per category that has ``keywords``."""
    explicit = _table(origin, document, "rules", _rule)
    made = tuple(
        RuleEntry(
            name=KEYWORDS_RULE.format(slug=c.slug), category=c.slug, kind="keyword", patterns=keywords, at=f"{c.at}.keywords"
        )
        for c, keywords in categories or ()
        if keywords
    )
    if explicit is None and not made:
        return None
    return (explicit or ()) + made


def _routes(origin: str, document: Mapping[str, Any]) -> tuple[RouteEntry, ...] | None:
    tables = entries(origin, document, "routes")
    if tables is None:
        return None
    return tuple(row for t in tables for row in _route(t))


ROUTE_KEYS = (
    "category", "department", "staff", "everyone", "continue", "staff_mode", "source", "app", "min_priority", "min_amount"
)


def _route(t: Table) -> list[RouteEntry]:
    t.check_keys(ROUTE_KEYS)
    category = t.slug("category")
    targets: list[dict[str, Any]] = []
    staff_mode = t.choice("staff_mode", STAFF_MODES) if t.has("staff_mode") else ""
    if staff_mode and not t.has("department"):
        raise t.error("staff_mode", "needs the department whose staff are on duty")
    if t.has("department"):
        targets.append({"department": t.slug("department"), "staff_mode": staff_mode})
    for number in t.strings("staff", slugs=True) if t.has("staff") else ():
        targets.append({"staff": number})
    if t.boolean("everyone", False):
        targets.append({"everyone": True})
    if not targets:
        raise t.error(None, "names no target: give department, staff or everyone = true")
    last = t.boolean("continue", False)
    conditions: dict[str, Any] = {
        "source": t.slug("source") if t.has("source") else "",
        "app": t.text("app", max_len=64) if t.has("app") else "",
        "min_priority": t.choice("min_priority", PRIORITIES) if t.has("min_priority") else "",
        "min_amount": _amount(t, "min_amount") if t.has("min_amount") else None,
    }
    return [
        RouteEntry(
            category=category, continue_matching=last if i == len(targets) - 1 else True, at=t.at, **conditions, **target
        )
        for i, target in enumerate(targets)
    ]


def _amount(t: Table, key: str) -> Decimal:
    value = t.raw(key, REQUIRED)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise t.error(key, f"must be a number, not {toml_type(value)}")
    amount = Decimal(str(value))
    if not 0 <= amount <= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise t.error(key, f"{value} is not an amount from 0 to {MAX_AMOUNT} with at most 2 decimals")
    return amount


# -- sources -----------------------------------------------------------------------------------------
SOURCE_KEYS = (
    "name", "adapter", "url", "interval", "items", "cursor", "fields", "pagination", "auth", "webhook", "enabled", "type", "language"
)


def _source(t: Table) -> SourceEntry:
    t.check_keys(SOURCE_KEYS)
    return SourceEntry(
        name=t.slug("name"),
        url=source_tables.url(t),
        adapter=t.slug("adapter", "generic"),
        interval_seconds=source_tables.interval(t, "interval", "5s"),
        items_path=t.text("items", empty=True) if t.has("items") else None,
        cursor=source_tables.cursor(t),
        fields=source_tables.fields(t),
        pagination=source_tables.pagination(t),
        auth=source_tables.auth(t),
        webhook=source_tables.webhook(t),
        enabled=t.boolean("enabled", True),
        item_type=source_tables.item_type(t),
        language=source_tables.language(t),
        at=t.at,
    )


# -- whole-file checks -----------------------------------------------------------------------------------
def natural_keys(config: Config) -> dict[str, list[tuple[Any, str, str]]]:
    """Per table: (key, where it is, the key's name in the file) for every entry."""
    return {
        "subsystems": [(e.slug, e.at, "slug") for e in config.subsystems or ()],
        "departments": [(e.slug, e.at, "slug") for e in config.departments or ()],
        "staff": [(e.number, e.at, "number") for e in config.staff or ()],
        "categories": [(e.slug, e.at, "slug") for e in config.categories or ()],
        "rules": [(e.name, e.at, "name") for e in config.rules or ()],
        "routes": [(e.key, e.at, "") for e in config.routes or ()],
        "sources": [(e.name, e.at, "name") for e in config.sources or ()],
        "nodes": [(e.node_id, e.at, "id") for e in config.nodes or ()],
        "examples": [(digest(e.content), e.at, "content") for e in config.examples or ()],
        "channels": [(e.name, e.at, "name") for e in config.channels or ()],
    }


def _refuse_duplicates(config: Config) -> None:
    for table, keys in natural_keys(config).items():
        seen: dict[Any, str] = {}
        for key, at, name in keys:
            if key in seen:
                if table == "routes":
                    what = f"routes {key[0]} to {key[1]} {key[2]}".rstrip()
                    raise ConfigFileError(config.origin, at, f"{what} is already at {seen[key]}")
                where = at if at.endswith(".keywords") else f"{at}.{name}"
                raise ConfigFileError(config.origin, where, f"{key!r} is already defined at {seen[key]}")
            seen[key] = at


def check_references(config: Config, elsewhere: Mapping[str, Iterable[str]] | None = None) -> None:
    """Every name an entry refers to must be in the file or in ``elsewhere`` (table -> keys
    that exist outside the file, e.g. in the database and kept)."""
    outside = {table: set(keys) for table, keys in (elsewhere or {}).items()}

    def known(table: str) -> set[str]:
        return {key for key, _, _ in natural_keys(config)[table]} | outside.get(table, set())

    subsystems, departments, staff, categories = (known(t) for t in ("subsystems", "departments", "staff", "categories"))

    def need(at: str, key: str, value: str | None, names: set[str], what: str) -> None:
        if value is not None and value not in names:
            raise ConfigFileError(config.origin, f"{at}.{key}", f"no {what} {value!r} in the file or the database")

    for d in config.departments or ():
        need(d.at, "subsystem", d.subsystem, subsystems, "subsystem")
    for s in config.staff or ():
        need(s.at, "department", s.department, departments, "department")
    for r in config.rules or ():
        need(r.at, "category", r.category, categories, "category")  # a keywords rule's category is its own
    for route in config.routes or ():
        need(route.at, "category", route.category, categories, "category")
        need(route.at, "department", route.department, departments, "department")
        need(route.at, "staff", route.staff, staff, "staff member")
    for e in config.examples or ():
        need(e.at, "category", e.category, categories, "category")
    for c in config.categories or ():
        if c.escalation is not None:
            need(c.at, "escalation.department", c.escalation.department, departments, "department")
            need(c.at, "escalation.staff", c.escalation.staff, staff, "staff member")
    for ch in config.channels or ():
        need(ch.at, "department", ch.department, departments, "department")
        need(ch.at, "staff", ch.staff, staff, "staff member")
    for n in config.nodes or ():
        need(n.at, "department", n.department, departments, "department")
        for number in n.staff:
            need(n.at, "staff", number, staff, "staff member")

