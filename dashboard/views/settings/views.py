"""One list and one form per settings page (pages.py), for admins only.

A form posts; its values go through the loader (entries.py) in one
transaction; a refusal is shown beside its field in the person's language and
nothing is saved; a saved change says so and goes back to the list.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ...access import admin_only
from ...roles import Viewer
from . import entries
from .fields import Field, Unreadable
from .extras import EXTRAS
from .pages import PAGES, Names, Page
from .reasons import in_words

FormErrors = dict[str, list[str]]


def _page(slug: str) -> Page:
    page = PAGES.get(slug)
    if page is None:
        raise Http404(slug)
    return page


@require_http_methods(["GET"])
@admin_only
def table_page(request: HttpRequest, viewer: Viewer, page: str) -> HttpResponse:
    found = _page(page)
    names = Names.load()
    rows = [(pk, [(heading, show(entry, names)) for heading, show in found.columns]) for pk, entry in entries.rows(found.table)]
    return render(request, "dashboard/settings_table.html", {"page": found, "rows": rows, "pages": PAGES.values()})


@require_POST
@admin_only
def move_row(request: HttpRequest, viewer: Viewer, page: str, pk: int) -> HttpResponseBase:
    """Up (``direction=-1``) or down (``1``) in an ordered table: first match wins in this order."""
    found = _page(page)
    if not found.movable:
        raise Http404(page)
    move = -1 if request.POST.get("direction") == "-1" else 1
    problems = entries.save(found.table, pk, {}, move=move)
    _tell(request, found, problems, _("order saved"))
    return HttpResponseRedirect(reverse("dashboard:settings-table", args=[found.slug]) + f"#row-{pk}")


@require_http_methods(["GET", "POST"])
@admin_only
def row_page(request: HttpRequest, viewer: Viewer, page: str, pk: int | None = None) -> HttpResponseBase:
    found = _page(page)
    current = dict(entries.rows(found.table))
    if pk is not None and pk not in current:
        raise Http404(str(pk))
    if pk is None and not found.can_add:
        raise Http404(page)
    entry = current.get(pk, {}) if pk is not None else {}
    errors: FormErrors = {}
    values = _shown(found, entry, pk)
    if request.method == "POST":
        if request.POST.get("action") == "delete" and found.can_delete and pk is not None:
            problems = entries.delete(found.table, pk)
            if not problems:
                _tell(request, found, problems, _("%(row)s deleted") % {"row": entries.label(found.table, entry)})
                return HttpResponseRedirect(reverse("dashboard:settings-table", args=[found.slug]))
            errors = _placed(found, problems)
        else:
            values = {f.name: _posted(f, request.POST) for f in found.fields}
            if pk is not None:
                values.update({f.name: _shown(found, entry, pk)[f.name] for f in found.fields if f.fixed})
            errors, saved = _save(request, found, pk, entry)
            if not errors:
                return HttpResponseRedirect(reverse("dashboard:settings-table", args=[found.slug]) + f"#row-{saved}")
    return render(request, "dashboard/settings_row.html", {
        "page": found, "pk": pk, "entry": entry, "pages": PAGES.values(), "row": _row_name(found, entry),
        "form": [_form_field(f, values.get(f.name), errors.get(f.name, []), pk) for f in found.fields],
        "form_errors": errors.get("", []),
    }, status=400 if errors else 200)


def _save(request: HttpRequest, page: Page, pk: int | None, entry: dict[str, Any]) -> tuple[FormErrors, int | None]:
    """Errors by field (none: saved), and the saved row."""
    try:
        values = _read(page, request.POST, fixed_from=entry if pk is not None else None)
    except _FieldUnreadable as exc:
        return {exc.field: [str(exc.reason)]}, None
    extra = EXTRAS.get(page.slug)
    also = (lambda row: extra.save(row, request.POST)) if extra is not None else None
    problems = entries.save(page.table, pk, values, also=also)
    if problems:
        return _placed(page, problems), None
    row = entries.label(page.table, entries.edited(entry, values)) if page.table != "routes" else ""
    _tell(request, page, problems, (_("%(row)s saved") % {"row": row}) if row else _("saved"))
    return {}, problems.pk


class _FieldUnreadable(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _read(page: Page, post: QueryDict, fixed_from: dict[str, Any] | None) -> dict[str, Any]:
    """The file values the form sets; a page that edits an inline table sets that table."""
    values: dict[str, Any] = {}
    for f in page.fields:
        if f.extra or (page.wrap and f.name == "on"):
            continue
        if f.fixed and fixed_from is not None:
            continue  # set when the row was made
        try:
            values.update(f.read(post))
        except Unreadable as exc:
            raise _FieldUnreadable(f.name, str(exc)) from None
    if page.wrap:
        inner = {k: v for k, v in values.items() if v is not None}
        return {page.wrap: inner if "on" in post else None}
    return values


def _placed(page: Page, problems: entries.Problems) -> FormErrors:
    """Each refusal beside the field it is about, in the person's language; the rest above the form."""
    errors: FormErrors = {}
    for where, reasons in problems.by_key.items():
        owner = next((f.name for f in page.fields if where and f.owns(where, page.field_prefix())), "")
        if not owner and where:
            owner = next((f.name for f in page.fields if f.owns(where)), "")
        if not where:
            owner = page.whole
        errors.setdefault(owner, []).extend(in_words(r) for r in reasons)
    for row, reason in problems.others:
        errors.setdefault("", []).append(_("%(row)s: %(reason)s") % {"row": row, "reason": in_words(reason)})
    return errors


def _tell(request: HttpRequest, page: Page, problems: entries.Problems, done: str) -> None:
    if problems:
        for reasons in _placed(page, problems).values():
            for reason in reasons:
                messages.error(request, reason)
        return
    messages.success(request, done)
    for note in problems.notes:
        messages.info(request, in_words(note))


def _shown(page: Page, entry: dict[str, Any], pk: int | None) -> dict[str, Any]:
    inner = (entry.get(page.wrap) or {}) if page.wrap else entry
    values = {f.name: f.show(inner) for f in page.fields}
    if page.wrap:
        values["on"] = bool(entry.get(page.wrap))
    extra = EXTRAS.get(page.slug)
    if extra is not None and pk is not None:
        values.update(extra.shown(pk))
    return values


def _posted(f: Field, post: QueryDict) -> Any:
    if f.kind == "multiselect":
        return post.getlist(f.name)
    return f.name in post if f.kind == "checkbox" else post.get(f.name, "")


def _form_field(f: Field, value: Any, errors: list[str], pk: int | None) -> dict[str, Any]:
    return {
        "field": f, "value": value, "errors": errors, "readonly": f.fixed and pk is not None,
        "choices": f.choices() if f.choices else [],
    }


def _row_name(page: Page, entry: dict[str, Any]) -> str:
    """Which row the form edits, as a person calls it: 订单 (order), 003 王芳, order → orders."""
    if not entry:
        return ""
    if page.table == "routes" or page.table == "rules":
        return entries.label(page.table, entry)
    key = entries.NATURAL_KEYS[page.table]
    return f"{entry.get('name', '')} ({entry[key]})"
