"""Reports read from the rollups only (never from raw messages), so a purge changes none.

:func:`report` groups one date range by one dimension (the original design's
total, per-app, monthly, daily, per-department and per-person reports, plus per
category and per source) and adds the same range's previous period for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, TypeVar

from django.db.models import Q, QuerySet, Sum

from .buckets import percentile
from .models import ACK_BUCKETS, OUTCOMES, PLAYED_BUCKETS, DailyCount, MonthlyCount
from .months import split

Kind = Literal["total", "app", "month", "day", "department", "staff", "category", "source"]
KINDS: tuple[Kind, ...] = ("total", "app", "month", "day", "department", "staff", "category", "source")
# The longest range one report may cover (a year and a bit: "this year against last").
MAX_DAYS = 732

COUNTS = ("messages", *OUTCOMES, "sla_breaches", "played_n", "played_seconds", "ack_n", "ack_seconds")
SUMMED = COUNTS + PLAYED_BUCKETS + ACK_BUCKETS
# Columns of a report row, in the order exports write them.
COLUMNS = ("key", "messages", *OUTCOMES, "sla_breaches", "played_mean", "played_p50", "played_p90",
           "ack_mean", "ack_p50", "ack_p90")


_Rows = TypeVar("_Rows", QuerySet[DailyCount], QuerySet[MonthlyCount])


class QueryError(ValueError):
    """A report asked for something that cannot be answered; the message says what."""


@dataclass(frozen=True)
class Query:
    """``kind`` over ``start`` … ``end`` (shop days, inclusive). ``departments``: only these
    (None: every one, for admins); ``staff``: only this person's rows."""

    kind: Kind
    start: date
    end: date
    departments: frozenset[str] | None = None
    staff: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise QueryError(f"report {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.end < self.start:
            raise QueryError(f"the range ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days >= MAX_DAYS:
            raise QueryError(f"a report covers at most {MAX_DAYS} days")

    def previous(self) -> Query:
        """The period of the same length just before this one."""
        length = self.end - self.start + timedelta(days=1)
        return Query(self.kind, self.start - length, self.start - timedelta(days=1), self.departments, self.staff)


# Which breakdown each report reads, and which field it groups by (None: one total).
BREAKDOWN: dict[Kind, tuple[str, str | None]] = {
    "total": ("", None), "day": ("", "day"), "month": ("", "day"), "department": ("", "department"), "staff": ("", "staff"),
    "app": ("app", "value"), "category": ("category", "value"), "source": ("source", "value"),
}


def rows_for(query: Query, dimension: str = "", days: Q | None = None) -> QuerySet[DailyCount]:
    """The daily rollup rows of one breakdown a query may read: its range (or ``days`` of it),
    narrowed to what its viewer may see."""
    rows = DailyCount.objects.filter(dimension=dimension, day__gte=query.start, day__lte=query.end)
    if days is not None:
        rows = rows.filter(days)
    return _scoped(rows, query)


def _scoped(rows: _Rows, query: Query) -> _Rows:
    if query.departments is not None:
        rows = rows.filter(department__in=sorted(query.departments))
    if query.staff is not None:
        rows = rows.filter(staff=query.staff)
    return rows


def sums(query: Query, dimension: str, group: str | None, fields: tuple[str, ...] = SUMMED) -> list[dict[str, Any]]:
    """``fields`` summed over the query's rows of one breakdown, per ``group`` value (``k``; None:
    one total). Whole closed months are read from their monthly rows (hub.stats.months), the other
    days from the daily rows; a group may so come twice, to be added up by the caller."""
    months, days = split(query.start, query.end) if group != "day" or query.kind == "month" else ([], None)
    totals = {f: Sum(f) for f in fields}
    parts: list[tuple[QuerySet[Any], str | None]] = [(rows_for(query, dimension, days), group)]
    if months:
        monthly = _scoped(MonthlyCount.objects.filter(dimension=dimension, month__in=months), query)
        parts.append((monthly, "month" if group == "day" else group))
    found: list[dict[str, Any]] = []
    for rows, by in parts:
        if by is None:
            found.append({"k": "total", **rows.aggregate(**totals)})
        else:
            found += [{"k": r[by], **r} for r in rows.values(by).annotate(**totals).order_by(by)]
    return found


def report(query: Query) -> dict[str, Any]:
    """``{"kind", "start", "end", "rows": [...], "total": {...}, "previous": {...}}``;
    each row has :data:`COLUMNS`. Rows are in key order (days and months in time order)."""
    dimension, group = BREAKDOWN[query.kind]
    grouped: dict[str, dict[str, float]] = {}
    for row in sums(query, dimension, group):
        if row["messages"] is None:
            continue  # an empty total
        key = _key(query.kind, row["k"])
        into = grouped.setdefault(key, dict.fromkeys(SUMMED, 0.0))
        for f in SUMMED:
            into[f] += row[f] or 0
    total = _measures("total", {f: sum(g[f] for g in grouped.values()) for f in SUMMED})
    previous = dict.fromkeys(SUMMED, 0.0)
    for row in sums(query.previous(), "", None):
        for f in SUMMED:
            previous[f] += float(row[f] or 0)
    return {
        "kind": query.kind,
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "rows": [_measures(k, grouped[k]) for k in sorted(grouped)],
        "total": total,
        "previous": _measures("previous", previous),
        "previous_start": query.previous().start.isoformat(),
        "previous_end": query.previous().end.isoformat(),
    }


def _key(kind: Kind, value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%Y-%m") if kind == "month" else value.isoformat()
    return str(value)


def _measures(key: str, sums: dict[str, float]) -> dict[str, Any]:
    played = [int(sums[f]) for f in PLAYED_BUCKETS]
    acked = [int(sums[f]) for f in ACK_BUCKETS]
    row: dict[str, Any] = {"key": key, "messages": int(sums["messages"])}
    row.update({f: int(sums[f]) for f in (*OUTCOMES, "sla_breaches")})
    row["played_mean"] = _mean(sums["played_seconds"], sums["played_n"])
    row["played_p50"], row["played_p90"] = _round(percentile(played, 0.5)), _round(percentile(played, 0.9))
    row["ack_mean"] = _mean(sums["ack_seconds"], sums["ack_n"])
    row["ack_p50"], row["ack_p90"] = _round(percentile(acked, 0.5)), _round(percentile(acked, 0.9))
    return row


def _mean(total: float, n: float) -> float | None:
    return round(total / n, 1) if n else None


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None
