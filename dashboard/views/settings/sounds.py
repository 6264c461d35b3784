"""Prompt sounds: listen to each, upload one, choose each category's (and per raised priority).

An upload is checked and converted by hub.sounds exactly as the admin's form
does (size first, then format, length, silence; see docs/sounds.md); a
category's sound is saved through the loader like every settings page.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.rules.models import Category
from hub.sounds.admin import read_bounded
from hub.sounds.audio import MAX_SECONDS, MAX_UPLOAD_BYTES, SoundRejected, check_and_convert
from hub.sounds.library import served_file, stored_fields
from hub.confio.parse import RAISED_PRIORITIES
from hub.sounds.models import PrioritySound, PromptSound

from ...access import admin_only
from ...labels import category_name, label
from ...roles import Viewer
from . import entries
from .pages import PAGES, sounds
from .reasons import in_words


@require_http_methods(["GET", "POST"])
@admin_only
def sounds_page(request: HttpRequest, viewer: Viewer) -> HttpResponseBase:
    errors: dict[str, list[str]] = {}
    name = ""
    if request.method == "POST" and request.POST.get("action") == "category":
        return _category_sound(request)
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        errors = _upload(request, name)
        if not errors:
            return HttpResponseRedirect(reverse("dashboard:settings-sounds"))
    used: dict[str, list[str]] = defaultdict(list)
    for slug, sound in Category.objects.order_by("slug").values_list("slug", "sound"):
        if sound:
            used[sound].append(slug)
    raised: dict[str, dict[str, str]] = defaultdict(dict)
    for slug, priority, sound in PrioritySound.objects.values_list("category__slug", "priority", "sound"):
        raised[slug][priority] = sound
        used[sound].append(f"{slug} ({label(priority, 'priority')})")
    return render(request, "dashboard/settings_sounds.html", {
        "pages": PAGES.values(),
        "sounds": [(s, used.get(s.name, [])) for s in PromptSound.objects.defer("wav")],
        "categories": [(c, raised.get(c.slug, {})) for c in Category.objects.order_by("slug")],
        "choices": sounds(),
        "same": [("", str(_("— as at normal —")))] + sounds()[1:],
        "raised": [(p, label(p, "priority")) for p in RAISED_PRIORITIES],
        "name": name,
        "errors": errors,
        "limits": {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "seconds": int(MAX_SECONDS)},
    }, status=400 if errors else 200)


def _upload(request: HttpRequest, name: str) -> dict[str, list[str]]:
    """Check the name and the file, then store it (replacing a sound of that name) in one transaction."""
    errors: dict[str, list[str]] = {}
    sound = PromptSound.objects.filter(name=name).first() or PromptSound(name=name)
    try:
        sound.clean_fields(exclude=["wav", "sha256", "seconds", "origin", "source_name"])
    except ValidationError as exc:
        errors["name"] = [str(m) for m in exc.message_dict.get("name", exc.messages)]
    upload = request.FILES.get("upload")
    if upload is None:
        errors["upload"] = [_("choose a sound file to upload")]
        return errors
    try:
        pcm = check_and_convert(read_bounded(upload))
    except SoundRejected as exc:
        errors["upload"] = [f"{upload.name}: {in_words(str(exc))}"]
    if errors:
        return errors
    old = sound.sha256 if sound.pk else ""
    with transaction.atomic():
        if old:
            served_file(old)  # announcements still queued on speakers fetch the old sound by its hash
        sound.origin = PromptSound.UPLOADED
        sound.source_name = (upload.name or "")[:255]
        for field, value in stored_fields(pcm).items():
            setattr(sound, field, value)
        sound.save()
    served_file(sound.sha256)
    messages.success(request, (_("%(name)s replaced") if old else _("%(name)s added")) % {"name": sound.name})
    return {}


def _category_sound(request: HttpRequest) -> HttpResponse:
    category = Category.objects.filter(slug=request.POST.get("category", "")).first()
    if category is None:
        messages.error(request, _("no such category"))
    else:
        wanted = request.POST.get("sound", "").strip()
        raised = {p: request.POST.get(f"sound_{p}", "").strip() for p in RAISED_PRIORITIES}
        problems = entries.save("categories", category.pk, {
            "sound": wanted or None, "priority_sounds": {p: v for p, v in raised.items() if v} or None})
        if problems:
            for reasons in problems.by_key.values():
                for reason in reasons:
                    messages.error(request, f"{category.slug}: {in_words(reason)}")
        else:
            messages.success(request, _("%(category)s: sound saved") % {"category": category_name(category)})
    return HttpResponseRedirect(reverse("dashboard:settings-sounds") + "#categories")
