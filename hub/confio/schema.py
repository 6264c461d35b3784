"""The configuration file, typed: one frozen dataclass per table entry.

These are what :func:`hub.confio.parse.parse_config` returns once a TOML
document has passed every check, and what the loader writes to the database.
They hold no Django objects, so a data migration can use them with the
historical models it is given.

Every entry keeps ``at`` (``"sources[1]"``: table and index counting from 0)
so a problem found later, against the database, names the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from typing import Any

# The file's tables, in the order they are loaded (a table only refers to the ones before it).
TABLES = ("subsystems", "departments", "staff", "categories", "rules", "routes", "sources", "nodes", "examples", "channels")


@dataclass(frozen=True)
class HubTable:
    """``[hub]``. ``base_topic`` must match the running hub's SHOPCRIER_BASE_TOPIC;
    ``language`` ("zh", "en"), the language of the hub's own prompts, is stored by the load
    (hub.sounds.language)."""

    base_topic: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class SubsystemEntry:
    slug: str
    name: str
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class QuietEntry:
    """A weekly quiet window of a department's speakers (hub.attention.models.QuietHours):
    ``days`` it starts on, ``end`` <= ``start`` runs past midnight; ``timezone`` "" = the hub's."""

    days: tuple[str, ...]
    start: time
    end: time
    timezone: str = ""


@dataclass(frozen=True)
class DigestEntry:
    """More than ``max_announcements`` in ``window_seconds``: the rest is folded into a digest."""

    max_announcements: int = 5
    window_seconds: int = 60


@dataclass(frozen=True)
class DepartmentEntry:
    """``timezone``: its staff's shifts are in this zone ("" = the hub's). ``quiet_hours``
    and ``digest``: hub.attention's settings for its speakers (none when left out)."""

    slug: str
    subsystem: str
    name: str
    timezone: str = ""
    quiet_hours: tuple[QuietEntry, ...] = ()
    digest: DigestEntry | None = None
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class ShiftEntry:
    """One weekly shift: ``weekday`` 0 (Monday) .. 6; ``end`` <= ``start`` runs past midnight."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class StaffEntry:
    """``timezone`` ("" = the department's) and weekly ``shifts`` decide when they are on duty;
    ``alerts``: they receive every outage alert personally (hub.monitor.models.AlertRecipient);
    ``summary``: ``off``, ``daily`` or ``weekly`` statistics summary (hub.stats.summary)."""

    number: str
    name: str
    department: str
    contact: str = ""
    timezone: str = ""
    shifts: tuple[ShiftEntry, ...] = ()
    alerts: bool = False
    summary: str = "off"
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class EscalationEntry:
    """An open message of the category is announced again every ``after_minutes``, ``repeat``
    times, then once to ``department`` or ``staff`` if one is named (hub.attention)."""

    after_minutes: int = 5
    repeat: int = 2
    department: str | None = None
    staff: str | None = None


@dataclass(frozen=True)
class CategoryEntry:
    """``name_en``: the name English pages show (empty: ``name``).
    ``expiry_seconds``: after this a speaker no longer says it. ``template_zh`` and
    ``template_en``: what is said, by the message's language (hub.rules.templates)."""

    slug: str
    name: str
    priority: str = "normal"
    sound: str = ""
    expiry_seconds: int = 1800
    name_en: str = ""  # what English readers see; empty: ``name``
    template_zh: str = "{content}"
    template_en: str = "{content}"
    escalation: EscalationEntry | None = None
    priority_sounds: tuple[tuple[str, str], ...] = ()  # (priority, sound): played instead of ``sound``
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class RuleEntry:
    """One recognition rule; its place in ``Config.rules`` is its position. ``category``
    None: the rule only raises ``priority`` (hub.rules.classify has the semantics)."""

    name: str
    category: str | None
    kind: str
    patterns: tuple[str, ...]
    enabled: bool = True
    priority: str | None = None
    conditions: tuple[dict[str, Any], ...] = ()
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class RouteEntry:
    """One route row: exactly one of ``department``, ``staff``, ``everyone``.

    A ``[[routes]]`` table naming several targets becomes several of these, in
    the order department, staff (in list order), everyone; all but the last
    continue, so the table as a whole reaches every target it names.
    """

    category: str
    department: str | None = None
    staff: str | None = None
    everyone: bool = False
    continue_matching: bool = False
    staff_mode: str = ""
    source: str = ""
    app: str = ""
    min_priority: str = ""
    min_amount: Decimal | None = None
    at: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a route: its category and its target (conditions are not part of it)."""
        if self.department is not None:
            return (self.category, self.staff_mode or "department", self.department)
        if self.staff is not None:
            return (self.category, "staff", self.staff)
        return (self.category, "everyone", "")


@dataclass(frozen=True)
class SourceEntry:
    """A platform source. ``None`` for ``items_path``, ``cursor`` and ``fields``
    means "not in the file": the loader uses the adapter's defaults. ``item_type``
    (the file's ``type``): every item's platform type when it has none; ``language``:
    its messages' language ("" = detected per message)."""

    name: str
    url: str
    adapter: str = "generic"
    interval_seconds: int = 5
    items_path: str | None = None
    cursor: dict[str, Any] | None = None
    fields: dict[str, str] | None = None
    pagination: dict[str, Any] = field(default_factory=dict)
    auth: dict[str, Any] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    item_type: str = ""
    language: str = ""
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class NodeEntry:
    node_id: str
    department: str
    staff: tuple[str, ...] = ()
    description: str = ""
    volume: int = 80
    enabled: bool = True
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class ExampleEntry:
    """A labelled message (an admin's correction) the learned fallback trains on; its
    identity is its text as the model reads it (hub.rules.learned.digest)."""

    content: str
    category: str
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class ChannelEntry:
    """A notification target (hub.notify): a department's group bot or one person's channel.

    ``url_env`` names the environment variable holding an Apprise URL: the URL
    carries secrets, so it is never in the file."""

    name: str
    kind: str
    department: str | None = None
    staff: str | None = None
    url_env: str = ""
    alerts: bool = False
    per_minute: int = 20
    enabled: bool = True
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class Config:
    """A whole file. A table that is ``None`` was not in the file and is left
    alone by the loader; an empty tuple (``sources = []``) is a table with no
    entries. ``rules`` holds the ``[[rules]]`` in file order, then the rules
    made from categories' ``keywords``; ``keyword_rules_only``: the file has no
    ``[[rules]]`` table, only ``keywords``, so its rules keep their places."""

    origin: str
    hub: HubTable = HubTable()
    subsystems: tuple[SubsystemEntry, ...] | None = None
    departments: tuple[DepartmentEntry, ...] | None = None
    staff: tuple[StaffEntry, ...] | None = None
    categories: tuple[CategoryEntry, ...] | None = None
    rules: tuple[RuleEntry, ...] | None = None
    routes: tuple[RouteEntry, ...] | None = None
    sources: tuple[SourceEntry, ...] | None = None
    nodes: tuple[NodeEntry, ...] | None = None
    examples: tuple[ExampleEntry, ...] | None = None
    channels: tuple[ChannelEntry, ...] | None = None
    keyword_rules_only: bool = False
