"""Settings for admins: what is configured, and a "try it" box that classifies and routes a sentence.

Changing things is done in the Django admin (linked from each section) for
now; this page shows the configuration in one place and answers "what would
happen to this message?" without storing anything.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from hub.attention.models import DigestPolicy, EscalationPolicy, QuietHours
from hub.intake.models import Source
from hub.org.models import Department, Staff, Subsystem
from hub.pipeline import Pipeline
from hub.rules.facts import Facts
from hub.rules.models import Category, Route, Rule

from .. import clock
from ..access import admin_only
from ..roles import Viewer
from ..story import route_label


@require_http_methods(["GET", "POST"])
@admin_only
def settings_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    trial = None
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
            "text": text,
            "trial": trial,
            "sources": Source.objects.order_by("name"),
            "categories": Category.objects.order_by("slug"),
            "rules": Rule.objects.select_related("category"),
            "routes": Route.objects.select_related("category", "department", "staff"),
            "subsystems": Subsystem.objects.order_by("slug"),
            "departments": Department.objects.select_related("subsystem").order_by("slug"),
            "staff": Staff.objects.select_related("department", "user").order_by("number"),
            "quiet_hours": QuietHours.objects.select_related("department"),
            "escalations": EscalationPolicy.objects.select_related("category"),
            "digests": DigestPolicy.objects.select_related("department"),
        },
    )
