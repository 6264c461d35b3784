"""Saving a settings page through the configuration loader: one source of truth for the rules.

A page edits one entry of a configuration table (``categories``, ``rules``, …)
as ``shopcrier-hub load`` reads it. The table is read back as ``dump`` writes
it, the entry changed, and the result parsed and applied by the loader's own
``parse_config`` and ``apply_config``, in one transaction: what the file would
refuse, the page refuses with the same reason, and nothing is written.

Ordered tables (rules, routes) are handed over whole, so the first-match-wins
order stays as it is; the others only the one entry (a deletion hands over the
whole table less that row, with ``prune``, so the loader's refusals to lose
stored messages hold here too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction

from hub.confio.dump import table_entries
from hub.confio.errors import ApplyError, ConfigFileError
from hub.confio.load import MODELS, apply_config
from hub.confio.parse import parse_config

ORIGIN = "settings"
ORDERED = frozenset({"rules", "routes"})
NATURAL_KEYS = {"subsystems": "slug", "departments": "slug", "staff": "number", "categories": "slug"}
_WHERE = re.compile(r"^(?P<table>[a-z]+)\[(?P<index>\d+)\](?:\.(?P<key>.+))?")

# a value of None in an edit removes the key from the entry: the loader's default applies
Values = Mapping[str, Any]


class Refused(Exception):
    """Raised inside the transaction to roll it back; carries what the page shows."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(str(problems))
        self.problems = problems


@dataclass
class Problems:
    """Why a change was refused: reasons by the entry's file key (``""``: the entry as a whole),
    and reasons about other rows (``(label, reason)``) the change ran into."""

    by_key: dict[str, list[str]] = field(default_factory=dict)
    others: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else a saved change did (not problems)
    pk: int | None = None  # the saved row

    def add(self, key: str, reason: str) -> None:
        self.by_key.setdefault(key, []).append(reason)

    def __bool__(self) -> bool:  # true: refused
        return bool(self.by_key or self.others)


def rows(table: str) -> list[tuple[int, dict[str, Any]]]:
    """``(pk, entry)`` for each row of ``table``, in the order ``dump`` writes them."""
    model = MODELS[table]
    order = ("position", "pk") if table in ORDERED else ("pk",)
    # Both reads under the writers' lock: an admin saving between them made the two disagree (a 500).
    with transaction.atomic():
        _lock(table)
        pks = list(model._default_manager.order_by(*order).values_list("pk", flat=True))
        entries = table_entries(table)
    assert len(pks) == len(entries), f"{table}: dump and database disagree"
    return list(zip(pks, entries))


def edited(entry: Mapping[str, Any], values: Values) -> dict[str, Any]:
    out = dict(entry)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def save(
    table: str,
    pk: int | None,
    values: Values,
    *,
    move: int = 0,
    also: Callable[[models.Model], Problems | None] | None = None,
) -> Problems:
    """Create (``pk`` None) or change the row ``pk`` of ``table`` to hold ``values``; ``move`` it
    up (-1) or down (+1) in an ordered table. ``also`` runs in the same transaction with the
    saved row (a staff member's login, kept outside the file) and may refuse too.
    Returns the problems; empty: saved."""
    done = Problems()
    try:
        with transaction.atomic():
            done.notes, done.pk = _save(table, pk, values, move, also)
    except Refused as exc:
        return exc.problems
    except IntegrityError:  # another admin made the same row at the same moment; the database said no
        return _problem("", "it changed meanwhile: try again")
    return done


def delete(table: str, pk: int) -> Problems:
    """Delete the row ``pk`` as ``load --prune`` would: refused when it would lose stored
    messages, or when other rows still use it."""
    done = Problems()
    try:
        with transaction.atomic():
            _lock(table)
            current = rows(table)
            if all(row_pk != pk for row_pk, _ in current):
                raise Refused(_problem("", "no such row: it was deleted meanwhile"))
            keep = [entry for row_pk, entry in current if row_pk != pk]
            done.notes = _apply(table, keep, None, prune=True)
    except Refused as exc:
        return exc.problems
    return done


def _lock(table: str) -> None:
    """Writers of this table wait for each other (PostgreSQL; SQLite has one writer anyway)."""
    list(MODELS[table]._default_manager.select_for_update().values_list("pk", flat=True))


def _save(
    table: str, pk: int | None, values: Values, move: int, also: Callable[[models.Model], Problems | None] | None
) -> tuple[list[str], int]:
    _lock(table)
    current = rows(table)
    index = next((i for i, (row_pk, _) in enumerate(current) if row_pk == pk), None)
    if pk is not None and index is None:
        raise Refused(_problem("", "no such row: it was deleted meanwhile"))
    if table in ORDERED:
        entries = [entry for _, entry in current]
        if index is None:
            entries.append(edited({}, values))
            index = len(entries) - 1
        else:
            entries[index] = edited(entries[index], values)
            target = index + move
            if move and 0 <= target < len(entries):
                entries[index], entries[target] = entries[target], entries[index]
                index = target
        notes = _apply(table, entries, index, prune=True)
        entry = entries[index]
    else:
        entry = edited(current[index][1] if index is not None else {}, values)
        key = NATURAL_KEYS[table]
        if index is None and any(e.get(key) == entry.get(key) for _, e in current):
            raise Refused(_problem(key, f"{entry.get(key)!r} exists already"))
        notes = _apply(table, [entry], 0, prune=False)
    row = _saved_row(table, index if index is not None else 0, entry)
    if also is not None:
        problems = also(row)
        if problems:
            raise Refused(problems)
    assert isinstance(row.pk, int)
    return notes, row.pk


def _saved_row(table: str, index: int, entry: Mapping[str, Any]) -> models.Model:
    """The row as saved. A renamed rule or a route given another target is a new row to the
    loader (its natural key changed), so a row is found by its key, a route by its place."""
    model = MODELS[table]
    if table == "routes":
        return model._default_manager.order_by("position", "pk")[index]
    key = NATURAL_KEYS.get(table, "name")
    return model._default_manager.get(**{key: entry[key]})


def _apply(table: str, entries: list[dict[str, Any]], index: int | None, *, prune: bool) -> list[str]:
    """Parse and load ``entries`` as the file's ``table``; returns the load's notes."""
    try:
        config = parse_config({table: entries}, ORIGIN)
        return [n for n in apply_config(config, prune=prune).notes if not n.startswith("rules are now in this order")]
    except ConfigFileError as exc:
        raise Refused(_located(table, exc.where or "", exc.reason, index, entries)) from None
    except ApplyError as exc:
        raise Refused(_problem("", str(exc).removeprefix(f"{table}: "))) from None


def _located(table: str, where: str, reason: str, index: int | None, entries: list[dict[str, Any]]) -> Problems:
    """The loader names ``rules[3].patterns``: the edited entry's key, or another row."""
    found = _WHERE.match(where)
    if found is None or found.group("table") != table:
        return _problem("", reason)
    at = int(found.group("index"))
    if index is None or at != index:
        problems = Problems()
        problems.others.append((label(table, entries[at]) if at < len(entries) else where, reason))
        return problems
    return _problem(found.group("key") or "", reason)


def _problem(key: str, reason: str) -> Problems:
    problems = Problems()
    problems.add(key, reason)
    return problems


def label(table: str, entry: Mapping[str, Any]) -> str:
    """How a person knows a row: its slug, number or name; a route by category and target."""
    if table == "routes":
        target = entry.get("department") or entry.get("staff") or "*"
        return f"{entry.get('category')} → {target}"
    return str(entry.get(NATURAL_KEYS.get(table, "name"), ""))
