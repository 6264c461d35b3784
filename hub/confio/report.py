"""What a load changed, table by table, in words an admin can read."""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import TABLES


@dataclass
class TableReport:
    """Labels of the rows created, updated (with the file keys that changed),
    deleted (``--prune``) and kept though not in the file (``moved``: those of
    them an ordered table renumbered after the file's rows); a count of the rest."""

    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.moved)


@dataclass
class Report:
    origin: str
    dry_run: bool = False
    tables: dict[str, TableReport] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> TableReport:
        return self.tables.setdefault(name, TableReport())

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.tables.values())

    def counts(self, name: str) -> tuple[int, int, int, int]:
        """(created, updated, unchanged, deleted) for one table; moving a row counts as updating it."""
        t = self.tables.get(name, TableReport())
        return len(t.created), len(t.updated) + len(t.moved), t.unchanged, len(t.deleted)

    def lines(self) -> list[str]:
        totals = [sum(self.counts(name)[i] for name in self.tables) for i in range(4)]
        head = "nothing changed" if not self.changed else (
            f"{totals[0]} created, {totals[1]} updated, {totals[2]} unchanged, {totals[3]} deleted"
        )
        out = [f"{self.origin}: {head}"]
        for name in TABLES:
            t = self.tables.get(name)
            if t is None:
                continue
            if t.created:
                out.append(f"  {name}: created {', '.join(t.created)}")
            if t.updated:
                out.append(f"  {name}: updated " + ", ".join(f"{label} ({', '.join(keys)})" for label, keys in t.updated))
            if t.deleted:
                out.append(f"  {name}: deleted {', '.join(t.deleted)}")
            if t.kept:
                where = ", after the file's" if t.moved else ""
                out.append(f"  {name}: not in the file, kept{where}: {', '.join(t.kept)} (load --prune deletes them)")
        out.extend(f"  note: {note}" for note in self.notes)
        if self.dry_run:
            out.append("dry run: nothing was written")
        return out
