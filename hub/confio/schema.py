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
TABLES = ("subsystems", "departments", "staff", "categories", "rules", "routes", "sources", "nodes")


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
class DepartmentEntry:
    """``timezone``: its staff's shifts are in this zone ("" = the hub's)."""

    slug: str
    subsystem: str
    name: str
    timezone: str = ""
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class ShiftEntry:
    """One weekly shift: ``weekday`` 0 (Monday) .. 6; ``end`` <= ``start`` runs past midnight."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class StaffEntry:
    """``timezone`` ("" = the department's) and weekly ``shifts`` decide when they are on duty."""

    number: str
    name: str
    department: str
    contact: str = ""
    timezone: str = ""
    shifts: tuple[ShiftEntry, ...] = ()
    at: str = field(default="", compare=False)


@dataclass(frozen=True)
class CategoryEntry:
    """``expiry_seconds``: after this a speaker no longer says it. ``template_zh`` and
    ``template_en``: what is said, by the message's language (hub.rules.templates)."""

    slug: str
    name: str
    priority: str = "normal"
    sound: str = ""
    expiry_seconds: int = 1800
    template_zh: str = "{content}"
    template_en: str = "{content}"
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
    means "not in the file": the loader uses the adapter's defaults."""

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
class Config:
    """A whole file. A table that is ``None`` was not in the file and is left
    alone by the loader; an empty tuple (``sources = []``) is a table with no
    entries. ``rules`` holds the ``[[rules]]`` in file order, then the rules
    made from categories' ``keywords``."""

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
