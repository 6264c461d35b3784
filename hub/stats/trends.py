"""Trend charts and operations analysis, read from the rollups within a query's scope:
messages per day/week/month by category, the weekday × hour heat map, response times
over time, the busiest departments and people, and today against the same weekday of
the last four weeks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from django.db import connection
from django.db.models import QuerySet, Sum

from .models import ACK_BUCKETS, PLAYED_BUCKETS, HourlyCount
from .buckets import percentile
from .reports import Query, rows_for, sums

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")


def period_of(day: date, period: Period) -> str:
    if period == "month":
        return day.strftime("%Y-%m")
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def by_category(query: Query, period: Period) -> dict[str, Any]:
    """``{"labels": [periods], "series": {category: [messages per period]}}``."""
    found: dict[str, dict[str, int]] = {}
    labels: list[str] = []
    for day, category, n in rows_for(query, "category").values_list("day", "value").annotate(n=Sum("messages")).order_by("day"):
        label = period_of(day, period)
        if not labels or labels[-1] != label:
            labels.append(label)
        into = found.setdefault(category, {})
        into[label] = into.get(label, 0) + int(n)
    return {"labels": labels, "series": {c: [per.get(label, 0) for label in labels] for c, per in sorted(found.items())}}


def hours_for(query: Query) -> QuerySet[HourlyCount]:
    rows = HourlyCount.objects.filter(day__gte=query.start, day__lte=query.end)
    if query.departments is not None:
        rows = rows.filter(department__in=sorted(query.departments))
    if query.staff is not None:
        rows = rows.filter(staff=query.staff)
    return rows


def heat_map(query: Query) -> list[list[int]]:
    """Seven rows (Monday first) of 24 hourly message counts."""
    grid = [[0] * 24 for _ in range(7)]
    # a year is 8,760 (day, hour) sums: read raw, each distinct day turned into its weekday once
    sql, params = hours_for(query).values_list("day", "hour").annotate(n=Sum("messages")).query.sql_with_params()
    weekday: dict[object, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day, hour, n in cursor.fetchall():
            if day not in weekday:
                weekday[day] = (date.fromisoformat(day) if isinstance(day, str) else day).weekday()
            grid[weekday[day]][int(hour)] += int(n)
    return grid


def response_times(query: Query) -> dict[str, Any]:
    """Per day: received → played and → acknowledged, p50 and p90 (seconds)."""
    per_day = Query("day", query.start, query.end, query.departments, query.staff)
    found = sorted((r["k"], r) for r in sums(per_day, "", "day", PLAYED_BUCKETS + ACK_BUCKETS))  # no other column
    keys = [day.isoformat() for day, _ in found]
    times: dict[str, list[float | None]] = {f: [] for f in ("played_p50", "played_p90", "ack_p50", "ack_p90")}
    for _, row in found:
        for name, buckets in (("played", PLAYED_BUCKETS), ("ack", ACK_BUCKETS)):
            counts = [int(row[f] or 0) for f in buckets]
            for q in (50, 90):
                value = percentile(counts, q / 100)
                times[f"{name}_p{q}"].append(round(value, 1) if value is not None else None)
    return {"labels": keys, **times}


def busiest(query: Query, limit: int = 10) -> dict[str, list[tuple[str, int]]]:
    """The departments and the people with the most messages, most first."""
    found: dict[str, list[tuple[str, int]]] = {}
    for dimension in ("department", "staff"):
        counted: dict[str, int] = {}
        for row in sums(query, "", dimension, ("messages",)):
            if row["k"]:
                counted[row["k"]] = counted.get(row["k"], 0) + int(row["messages"] or 0)
        found[dimension] = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return found


def today_against_last_weeks(query: Query, today: date, hour: int) -> dict[str, Any]:
    """Messages on ``today`` up to ``hour`` (inclusive) and on the same weekday of each of the
    four weeks before, up to the same hour and for the whole day: an unusual day stands out."""
    days = [today - timedelta(weeks=w) for w in range(5)]
    scope = Query("day", days[-1], today, query.departments, query.staff)
    so_far = {d: 0 for d in days}
    whole = {d: 0 for d in days}
    for day, h, n in hours_for(scope).filter(day__in=days).values_list("day", "hour").annotate(n=Sum("messages")):
        whole[day] += int(n)
        if h <= hour:
            so_far[day] += int(n)
    earlier = days[1:]
    return {
        "days": [d.isoformat() for d in days],
        "so_far": [so_far[d] for d in days],
        "whole_day": [whole[d] for d in days],
        "usual_so_far": round(sum(so_far[d] for d in earlier) / len(earlier), 1),
    }
