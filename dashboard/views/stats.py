"""Statistics: the report pages with their charts, the JSON API, and CSV and XLSX downloads.

Every answer reads the rollups (hub.stats) within the viewer's scope
(dashboard.statistics.query_for); a bad range or report name is one line, 400.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hub.stats.reports import KINDS, Query, QueryError

from .. import reports as statistics
from ..access import signed_in
from ..roles import Viewer


def _query(request: HttpRequest, viewer: Viewer, kind: str) -> Query:
    return statistics.query_for(viewer, kind, request.GET.get("from"), request.GET.get("to"))


def _refused(request: HttpRequest, exc: QueryError, json: bool) -> HttpResponse:
    if json:
        return JsonResponse({"error": str(exc)}, status=400)
    return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


def _filename(query: Query, ext: str) -> str:
    return f"shopcrier-{query.kind}-{query.start}-{query.end}.{ext}"


@require_GET
@signed_in
def report_api(request: HttpRequest, viewer: Viewer, kind: str) -> HttpResponseBase:
    """``GET /stats/api/<kind>?from=YYYY-MM-DD&to=YYYY-MM-DD``: the report as JSON."""
    try:
        query = _query(request, viewer, kind)
    except QueryError as exc:
        return _refused(request, exc, json=True)
    return JsonResponse(statistics.labelled(query), json_dumps_params={"ensure_ascii": False})


@require_GET
@signed_in
def report_csv(request: HttpRequest, viewer: Viewer, kind: str) -> HttpResponseBase:
    try:
        query = _query(request, viewer, kind)
    except QueryError as exc:
        return _refused(request, exc, json=False)
    response = StreamingHttpResponse(statistics.csv_lines(statistics.labelled(query)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(query, "csv")}"'
    return response


@require_GET
@signed_in
def report_xlsx(request: HttpRequest, viewer: Viewer, kind: str) -> HttpResponseBase:
    try:
        query = _query(request, viewer, kind)
    except QueryError as exc:
        return _refused(request, exc, json=False)
    body = statistics.xlsx_bytes(statistics.labelled(query), statistics.kind_names()[query.kind])
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_filename(query, "xlsx")}"'
    return response


@require_GET
@signed_in
def stats_page(request: HttpRequest, viewer: Viewer, kind: str = "day") -> HttpResponseBase:
    """One report as a table and a chart, with the range picker and the downloads."""
    try:
        query = _query(request, viewer, kind)
    except QueryError as exc:
        return _refused(request, exc, json=False)
    found = statistics.labelled(query)
    names = statistics.kind_names()
    return render(request, "dashboard/stats.html", {
        "report": found, "query": query, "kinds": [(k, names[k]) for k in KINDS], "kind_name": names[query.kind],
        "titles": statistics.titles(), "chart_title": _("Messages and responses"),
        "chart_labels": {"messages": _("Messages"), "acknowledged": _("Acknowledged"), "ack_p90": _("To acknowledged, p90 (s)")},
    })


@require_GET
@signed_in
def trends_api(request: HttpRequest, viewer: Viewer) -> HttpResponseBase:
    """``GET /stats/api/trends?from=…&to=…&period=day|week|month``: every trend chart's data."""
    try:
        found = statistics.trends_for(viewer, request.GET.get("from"), request.GET.get("to"), request.GET.get("period"))
    except QueryError as exc:
        return _refused(request, exc, json=True)
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})


@require_GET
@signed_in
def trends_page(request: HttpRequest, viewer: Viewer) -> HttpResponseBase:
    """The trend charts and the operations analysis, drawn in the browser from the same data as the API."""
    try:
        found = statistics.trends_for(viewer, request.GET.get("from"), request.GET.get("to"), request.GET.get("period"))
    except QueryError as exc:
        return _refused(request, exc, json=False)
    labels = {
        "played_p50": _("To played, p50 (s)"), "played_p90": _("To played, p90 (s)"),
        "ack_p50": _("To acknowledged, p50 (s)"), "ack_p90": _("To acknowledged, p90 (s)"),
        "messages": _("Messages"), "so_far": _("So far today (same hour)"), "whole_day": _("Whole day"),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "today": _("Today"), "weeks_ago": _("%(n)s weeks ago"),
        "speaker_minutes": _("Speakers down (min)"), "source_minutes": _("Platform unreachable (min)"),
        "broker_minutes": _("Broker link down (min)"), "speaker_uptime": _("Speaker uptime (%)"),
    }
    names = statistics.kind_names()
    return render(request, "dashboard/trends.html", {
        "trends": found, "labels": labels, "kinds": [(k, names[k]) for k in KINDS],
        "periods": [("day", _("Per day")), ("week", _("Per week")), ("month", _("Per month"))],
    })
