"""Settings overview for admins: a "try it" box that classifies and routes a sentence, sources,
the rules' order, quiet hours, and the configuration in one place (each section links to its
own page, pages.py, where it is changed)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from hub.attention.models import DigestPolicy, EscalationPolicy, QuietHours
from hub.intake.interval import format_interval, parse_interval
from hub.intake.models import Source
from hub.org.models import Department, Staff, Subsystem
from hub.org.shifts import WEEKDAYS, parse_weekdays
from hub.pipeline import Pipeline
from hub.rules.facts import Facts
from hub.rules.models import Category, Route, Rule

from ... import clock
from ...access import admin_only
from ...preview import fetch_one_page
from ...roles import Viewer
from ...story import route_label
from . import entries
from .pages import PAGES
from .reasons import in_words


@require_POST
@admin_only
def reorder_rules(request: HttpRequest, viewer: Viewer) -> JsonResponse:
    """``order=3,1,2``: the rules' new order (every rule, each once); first match wins in this order."""
    raw = request.POST.get("order", "")
    try:
        wanted = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        return JsonResponse({"error": _("order must be rule numbers separated by commas")}, status=400)
    with transaction.atomic():
        existing = set(Rule.objects.select_for_update().values_list("pk", flat=True))
        if sorted(wanted) != sorted(existing):
            return JsonResponse({"error": _("the order must name every rule once (the list changed? reload the page)")}, status=409)
        for position, pk in enumerate(wanted, start=1):
            Rule.objects.filter(pk=pk).update(position=position * 10)
    return JsonResponse({"order": wanted})


def _edit_source(request: HttpRequest) -> str:
    """``action=source``: a source's interval (5s, 2m, 1h) and whether it is enabled; returns an error line or ""."""
    wanted = request.POST.get("source", "")
    source = Source.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if source is None:
        return _("no such source")
    try:
        seconds = parse_interval(request.POST.get("interval", "").strip())
    except ValueError as exc:
        return _("%(source)s: %(reason)s") % {"source": source.name, "reason": exc}
    source.interval_seconds = seconds
    source.enabled = request.POST.get("enabled") == "on"
    source.save(update_fields=["interval_seconds", "enabled"])
    return ""


def _edit_quiet_hours(request: HttpRequest) -> str:
    """``action=quiet-add`` (department, weekdays, start, end, timezone) or ``action=quiet-delete``
    (id); returns an error line naming what is wrong, or "". Saved as the department's
    ``quiet_hours`` through the configuration loader (entries.py), so a window is checked
    exactly as ``shopcrier-hub load`` checks it."""
    department: Department | None
    if request.POST.get("action") == "quiet-delete":
        wanted = request.POST.get("id", "")
        window = QuietHours.objects.select_related("department").filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if window is None:
            return ""
        department = window.department
        windows = [_window(q) for q in QuietHours.objects.filter(department=department).exclude(pk=window.pk)]
    else:
        department = Department.objects.filter(slug=request.POST.get("department", "")).first()
        if department is None:
            return _("choose a department")
        days = request.POST.getlist("weekdays")
        if not days:
            return _("choose at least one day")
        added: dict[str, object] = {"days": days, "start": request.POST.get("start", ""), "end": request.POST.get("end", "")}
        if request.POST.get("timezone", "").strip():
            added["timezone"] = request.POST.get("timezone", "").strip()
        windows = [_window(q) for q in QuietHours.objects.filter(department=department)] + [added]
    problems = entries.save("departments", department.pk, {"quiet_hours": windows})
    reasons = [in_words(r) for rs in problems.by_key.values() for r in rs] + [in_words(r) for _row, r in problems.others]
    return "; ".join(reasons)


def _window(q: QuietHours) -> dict[str, object]:
    """A stored window as the file writes it."""
    window: dict[str, object] = {
        "days": [WEEKDAYS[d] for d in sorted(parse_weekdays(q.weekdays))], "start": f"{q.start:%H:%M}", "end": f"{q.end:%H:%M}",
    }
    if q.timezone:
        window["timezone"] = q.timezone
    return window


@require_http_methods(["GET", "POST"])
@admin_only
def settings_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    trial = None
    preview = None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    source_error = _edit_source(request) if action == "source" else ""
    quiet_error = _edit_quiet_hours(request) if action in ("quiet-add", "quiet-delete") else ""
    if request.method == "POST" and request.POST.get("action") == "fetch":
        wanted = request.POST.get("source", "")
        source = Source.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        preview = fetch_one_page(source) if source else None
    text = request.POST.get("text", "").strip()[:2000] if request.method == "POST" else ""
    if text:
        pipeline = Pipeline.from_db()
        pipeline.routes.claim_turn = lambda pk: 0  # a trial takes nobody's round-robin turn
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
        facts = Facts(content=text, type=request.POST.get("type", "")[:100], app="", source="", user="", lang=lang, raw={})
        found = pipeline.recognition(facts)
        slug = found.category.slug if found.category else ""
        targets = pipeline.routes.targets(slug, facts, found.priority, clock.now()) if slug else []
        trial = {"found": found, "targets": [route_label(t) for t in targets]}
    return render(
        request,
        "dashboard/settings.html",
        {
            "pages": PAGES.values(),
            "text": text,
            "trial": trial,
            "preview": preview,
            "source_error": source_error,
            "quiet_error": quiet_error,
            "weekdays": WEEKDAYS,
            "sources": [(s, format_interval(s.interval_seconds)) for s in Source.objects.order_by("name")],
            "categories": Category.objects.order_by("slug"),
            "rules": Rule.objects.select_related("category"),
            "routes": Route.objects.select_related("category", "department", "staff"),
            "subsystems": Subsystem.objects.order_by("slug"),
            "departments": Department.objects.select_related("subsystem").order_by("slug"),
            "staff": Staff.objects.select_related("department", "user").order_by("number"),
            "quiet_hours": QuietHours.objects.select_related("department"),
            "escalations": EscalationPolicy.objects.select_related("category", "escalate_to_department", "escalate_to_staff"),
            "digests": DigestPolicy.objects.select_related("department"),
        },
    )
