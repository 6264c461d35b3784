"""Reports as a viewer may read them: the range from the request, the scope from the role,
labels and column titles in the page's language, and the CSV and XLSX files built from them.

Scope (dashboard.roles): an admin reads every department; a manager their
departments (and their own); a staff member only what was announced to them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from hub.intake.models import Source
from hub.org.models import Department, Staff
from hub.stats import trends
from hub.stats.outages import outages
from hub.stats.days import day_of, shop_zone
from hub.stats.reports import COLUMNS, KINDS, Kind, Query, QueryError, report

from . import clock
from .labels import category_names
from .roles import Viewer

DEFAULT_DAYS = 30


def titles() -> dict[str, str]:
    """Column titles in the active language."""
    return {
        "key": _("Group"), "label": _("Name"), "messages": _("Messages"), "played": _("Played"),
        "acknowledged": _("Acknowledged"), "escalated": _("Escalated"), "expired": _("Expired"),
        "no_speaker": _("No speaker"), "sla_breaches": _("Over target"),
        "played_mean": _("To played, mean (s)"), "played_p50": _("To played, p50 (s)"), "played_p90": _("To played, p90 (s)"),
        "ack_mean": _("To acknowledged, mean (s)"), "ack_p50": _("To acknowledged, p50 (s)"), "ack_p90": _("To acknowledged, p90 (s)"),
    }


def kind_names() -> dict[str, str]:
    return {
        "total": _("Total"), "app": _("By app"), "month": _("Monthly"), "day": _("Daily"), "department": _("By department"),
        "staff": _("By person"), "category": _("By category"), "source": _("By source"),
    }


def query_for(viewer: Viewer, kind: str, start: str | None, end: str | None) -> Query:
    """The query ``viewer`` may run; raises QueryError (one line, in the page's language) on bad input."""
    if kind not in KINDS:
        raise QueryError(_("no such report: %(kind)s") % {"kind": kind})
    today = day_of(clock.now())
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise QueryError(_("a day is written like 2026-11-30")) from None
    kind_: Kind = kind  # narrowed by the check against KINDS above
    if viewer.is_admin:
        return Query(kind_, first, last)
    if viewer.managed:
        own = {viewer.own_department} if viewer.own_department else set()
        return Query(kind_, first, last, departments=frozenset(viewer.managed | own))
    if viewer.staff_number:
        return Query(kind_, first, last, departments=frozenset({viewer.own_department or ""}), staff=viewer.staff_number)
    raise QueryError(_("this login has no department or staff number, so no report"))


def labelled(query: Query) -> dict[str, Any]:
    """The report with a ``label`` per row: the name of its category, department, person or source."""
    found = report(query)
    names = _names(query.kind)
    for row in [*found["rows"], found["total"], found["previous"]]:
        row["label"] = names.get(row["key"], row["key"]) if names else row["key"]
    if query.kind == "total":
        for row in (*found["rows"], found["total"]):
            row["label"] = _("Total")
        found["previous"]["label"] = _("Previous period")
    return found


def _names(kind: Kind) -> dict[str, str]:
    if kind == "category":
        return category_names()
    if kind == "department":
        return {**dict(Department.objects.values_list("slug", "name")), "": _("Every speaker")}
    if kind == "staff":
        return {**dict(Staff.objects.values_list("number", "name")), "": _("No one in particular")}
    if kind == "source":
        return dict(Source.objects.values_list("name", "name"))
    return {}


def _table(found: dict[str, Any]) -> Iterator[list[Any]]:
    header = titles()
    columns = ("key", "label", *COLUMNS[1:])
    yield [header[c] for c in columns]
    for row in found["rows"]:
        yield [row[c] for c in columns]
    total = dict(found["total"], key="", label=_("Total"))
    yield [total[c] for c in columns]
    previous = dict(found["previous"], key=f'{found["previous_start"]}…{found["previous_end"]}', label=_("Previous period"))
    yield [previous[c] for c in columns]


def csv_lines(found: dict[str, Any]) -> Iterator[str]:
    """CSV lines, the first with a UTF-8 byte order mark so Excel and WPS read the Chinese text.

    The table (its titles in the request's language) is made now; only the lines are streamed."""
    return _lines(list(_table(found)))


def _lines(table: list[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    first = True
    for line in table:
        writer.writerow("" if v is None else v for v in line)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield ("\ufeff" + text) if first else text
        first = False


def xlsx_bytes(found: dict[str, Any], title: str) -> bytes:
    """One sheet, written row by row in XlsxWriter's constant-memory mode."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    for r, line in enumerate(_table(found)):
        for c, value in enumerate(line):
            if value is None:
                continue
            sheet.write(r, c, value, bold if r == 0 else None)
    book.close()
    return out.getvalue()


def trends_for(viewer: Viewer, start: str | None, end: str | None, period: str | None) -> dict[str, Any]:
    """Every trend chart's data for ``viewer``'s scope (see hub.stats.trends); QueryError on bad input."""
    if period is not None and period not in trends.PERIODS:
        raise QueryError(_("no such period: %(period)s") % {"period": period})
    query = query_for(viewer, "day", start, end)
    now = clock.now().astimezone(shop_zone())
    busy = trends.busiest(query)
    departments = dict(Department.objects.values_list("slug", "name"))
    people = dict(Staff.objects.values_list("number", "name"))
    categories = category_names()
    per = trends.by_category(query, period or "day")
    return {
        "start": query.start.isoformat(), "end": query.end.isoformat(), "period": period or "day",
        "by_category": {"labels": per["labels"],
                        "series": [{"key": k, "label": categories.get(k, k), "data": v} for k, v in per["series"].items()]},
        "heat_map": trends.heat_map(query),
        "response_times": trends.response_times(query),
        "busiest_departments": [{"key": k, "label": departments.get(k, k), "messages": n} for k, n in busy["department"]],
        "busiest_people": [{"key": k, "label": people.get(k, k), "messages": n} for k, n in busy["staff"]],
        "today": trends.today_against_last_weeks(query, now.date(), now.hour),
        "outages": outages(query.start, query.end, clock.now(), query.departments),
    }
