"""The settings pages, each one table of the configuration file: its columns, its form.

Which page edits which table (and which of its keys) is said here; the views
(views.py) are the same for all of them, and every value is checked and saved
by the loader (entries.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hub.intake.models import Source
from hub.org.models import Department, Staff, Subsystem
from hub.rules.models import Category
from hub.sounds.models import PromptSound

from ...labels import category_name, category_names, label
from .fields import Field



@dataclass(frozen=True)
class Names:
    """What a person calls the slugs a list shows (read once per list)."""

    categories: dict[str, str]
    departments: dict[str, str]
    staff: dict[str, str]
    logins: dict[str, str]  # staff number -> login

    @classmethod
    def load(cls) -> Names:
        return cls(
            categories=category_names(),
            departments=dict(Department.objects.values_list("slug", "name")),
            staff=dict(Staff.objects.values_list("number", "name")),
            logins={n: u for n, u in Staff.objects.filter(user__isnull=False).values_list("number", "user__username")},
        )


Show = Callable[[Mapping[str, Any], Names], str]
Column = tuple[Promise, Show]


@dataclass(frozen=True)
class Page:
    """``wrap``: the page edits one inline table of each entry (a category's ``escalation``);
    its ``on`` checkbox says whether the entry has one at all."""

    slug: str
    table: str
    title: Promise
    intro: Promise
    fields: tuple[Field, ...]
    columns: tuple[Column, ...]
    can_add: bool = True
    can_delete: bool = True
    movable: bool = False
    wrap: str = ""
    whole: str = ""  # the field beside which refusals of the entry as a whole are shown (a route's target)

    def field_prefix(self) -> str:
        return f"{self.wrap}." if self.wrap else ""


# -- choices, read when a form is shown -------------------------------------------------------------
def priorities() -> list[tuple[str, str]]:
    return [(p, label(p, "priority")) for p in ("normal", "high", "urgent")]


def priorities_or_none() -> list[tuple[str, str]]:
    return [("", str(_("— none —")))] + priorities()


def categories_or_none() -> list[tuple[str, str]]:
    return [("", str(_("— none: only raise the priority —")))] + categories()


def categories() -> list[tuple[str, str]]:
    return [(c.slug, f"{category_name(c)} ({c.slug})") for c in Category.objects.order_by("slug")]


def sounds() -> list[tuple[str, str]]:
    return [("", str(_("— no sound —")))] + [(n, n) for n in PromptSound.objects.values_list("name", flat=True)]


def subsystems() -> list[tuple[str, str]]:
    return [(s.slug, f"{s.name} ({s.slug})") for s in Subsystem.objects.order_by("slug")]


def departments() -> list[tuple[str, str]]:
    return [(d.slug, f"{d.name} ({d.slug})") for d in Department.objects.order_by("slug")]


def targets() -> list[tuple[str, str]]:
    out = [("", str(_("— choose —"))), ("everyone", str(_("every speaker")))]
    out += [(f"department:{d.slug}", str(_("department %(name)s") % {"name": d.name})) for d in Department.objects.order_by("slug")]
    out += [(f"staff:{s.number}", str(_("staff %(number)s %(name)s") % {"number": s.number, "name": s.name}))
            for s in Staff.objects.order_by("number")]
    return out


def escalation_targets() -> list[tuple[str, str]]:
    return [("", str(_("nobody: reminders only")))] + [t for t in targets()[2:]]


def staff_modes() -> list[tuple[str, str]]:
    return [("", str(_("the department's speakers"))), ("on_duty", str(_("each of its staff on duty"))),
            ("round_robin", str(_("one of its staff on duty, in turn")))]


def summaries() -> list[tuple[str, str]]:
    return [("off", str(_("no summary"))), ("daily", str(_("a daily summary"))), ("weekly", str(_("a weekly summary (Mondays)")))]


def sources_or_any() -> list[tuple[str, str]]:
    return [("", str(_("any source")))] + [(n, n) for n in Source.objects.order_by("name").values_list("name", flat=True)]


def rule_kinds() -> list[tuple[str, str]]:
    return [("keyword", str(_("keywords"))), ("regex", str(_("regular expressions"))),
            ("type", str(_("platform type (globs)"))), ("field", str(_("conditions only")))]


def logins() -> list[tuple[str, str]]:
    users = get_user_model()._default_manager.order_by("username").values_list("username", flat=True)
    return [("", str(_("— no login —")))] + [(u, u) for u in users]


# -- list columns ----------------------------------------------------------------------------------------
def _get(key: str, default: str = "—") -> Show:
    return lambda e, names: str(e.get(key) or default)


def _named(key: str, table: str) -> Show:
    """A slug with the name people use: 订单部门 (orders)."""
    def show(e: Mapping[str, Any], names: Names) -> str:
        slug = e.get(key)
        if not slug:
            return "—"
        name = getattr(names, table).get(slug)
        return f"{name} ({slug})" if name and name != slug else str(slug)
    return show


def _category_name(e: Mapping[str, Any], names: Names) -> str:
    """A category entry's name in the page's language."""
    return names.categories.get(str(e.get("slug")), str(e.get("name") or "—"))


def _priority(e: Mapping[str, Any], names: Names) -> str:
    return label(str(e.get("priority", "normal")), "priority") if e.get("priority") else "—"


def _patterns(e: Mapping[str, Any], names: Names) -> str:
    text = ", ".join(e.get("patterns") or ())
    return (text[:80] + "…" if len(text) > 80 else text) or "—"


def _kind(e: Mapping[str, Any], names: Names) -> str:
    return dict(rule_kinds()).get(str(e.get("kind")), str(e.get("kind")))


def _route_target(e: Mapping[str, Any], names: Names) -> str:
    if e.get("department"):
        mode = {"on_duty": _("each of its staff on duty"), "round_robin": _("one of its staff on duty, in turn")}.get(
            str(e.get("staff_mode", "")), "")
        words = str(_("department %(name)s") % {"name": names.departments.get(e["department"], e["department"])})
        return words + (f" · {mode}" if mode else "")
    if e.get("staff"):
        return str(_("staff %(number)s %(name)s") % {"number": e["staff"], "name": names.staff.get(e["staff"], "")})
    return str(_("every speaker"))


def _route_only(e: Mapping[str, Any], names: Names) -> str:
    words = {"source": _("only from source"), "app": _("only from app"), "min_priority": _("only at priority or above"),
             "min_amount": _("only when the amount is at least")}
    parts = [f"{words[k]} {label(str(e[k]), 'priority') if k == 'min_priority' else e[k]}"
             for k in words if e.get(k) not in (None, "")]
    return "; ".join(parts) if parts else "—"


def _escalation(e: Mapping[str, Any], names: Names) -> str:
    esc = e.get("escalation")
    if not esc:
        return str(_("none"))
    words = str(_("every %(n)s min, %(r)s times") % {"n": esc.get("after_minutes", 5), "r": esc.get("repeat", 2)})
    if esc.get("department"):
        return f"{words} → {names.departments.get(esc['department'], esc['department'])}"
    if esc.get("staff"):
        return f"{words} → {esc['staff']} {names.staff.get(esc['staff'], '')}"
    return words


def _digest(e: Mapping[str, Any], names: Names) -> str:
    d = e.get("digest")
    if not d:
        return str(_("none"))
    return str(_("more than %(n)s in %(s)s s: one digest") % {"n": d.get("max_announcements", 5), "s": d.get("window_seconds", 60)})


def _shifts(e: Mapping[str, Any], names: Names) -> str:
    return "; ".join(f"{','.join(s['days'])} {s['start']}-{s['end']}" for s in e.get("shifts") or ()) or "—"


def _login(e: Mapping[str, Any], names: Names) -> str:
    return names.logins.get(str(e.get("number")), "—")


def _yes_no(key: str, default: bool) -> Show:
    return lambda e, names: str(_("yes") if e.get(key, default) else _("no"))


# -- the pages -----------------------------------------------------------------------------------------------
NAME = Field("name", _("name"))
SLUG_HELP = _("letters, digits, - and _; it names MQTT topics, so it is set once")

PAGES: dict[str, Page] = {p.slug: p for p in [
    Page(
        "categories", "categories", _("Categories"),
        _("What a message is. Its priority, its prompt sound, how long a speaker may still say it, and what is said."),
        (
            Field("slug", _("slug"), help=SLUG_HELP, fixed=True),
            NAME,
            Field("name_en", _("name in English"), help=_("what English pages show; empty: the name above")),
            Field("priority", _("priority"), "select", choices=priorities, default="normal"),
            Field("sound", _("prompt sound"), "select", choices=sounds),
            Field("expiry_seconds", _("expires after (seconds)"), "number", default=1800,
                  help=_("after this a speaker no longer says it; screens still show it")),
            Field("template_zh", _("said for a Chinese message"), default="{content}",
                  help=_("{content} is the platform's sentence; also {user}, {amount}, {category_name}, {raw.number} …")),
            Field("template_en", _("said for a message in another language"), default="{content}"),
        ),
        ((_("slug"), _get("slug")), (_("name"), _get("name")), (_("name in English"), _get("name_en")), (_("priority"), _priority),
         (_("prompt sound"), _get("sound")),
         (_("expires after (seconds)"), _get("expiry_seconds", "1800"))),
    ),
    Page(
        "rules", "rules", _("Rules"),
        _("The first enabled rule with a category that matches decides the category; rules without one only raise the priority. "
          "The order is changed by dragging on the overview."),
        (
            NAME,
            Field("kind", _("kind"), "select", choices=rule_kinds, default="keyword"),
            Field("patterns", _("patterns, one a line"), "lines",
                  help=_("keywords: Chinese as substrings, Latin words whole; regular expressions: Python, case-insensitive")),
            Field("category", _("category"), "select", choices=categories_or_none),
            Field("priority", _("raise the priority to"), "select", choices=priorities_or_none),
            Field("conditions", _("conditions (JSON)"), "json",
                  help=format_lazy("{} {}", _("all must hold, e.g."), '[{"path": "amount", "op": ">=", "value": 5000}]')),
            Field("enabled", _("enabled"), "checkbox", default=True),
        ),
        ((_("name"), _get("name")), (_("kind"), _kind), (_("patterns"), _patterns),
         (_("category"), _named("category", "categories")), (_("priority"), _priority), (_("enabled"), _yes_no("enabled", True))),
    ),
    Page(
        "routes", "routes", _("Routes"),
        _("Who hears a category. In this order the first route that matches ends it, unless it lets later routes add more."),
        (
            Field("category", _("category"), "select", choices=categories),
            Field("target", _("who hears it"), "target", choices=targets),
            Field("staff_mode", _("in a department"), "select", choices=staff_modes,
                  help=_("staff on duty by their shifts; nobody on duty: the department hears it")),
            Field("continue", _("later routes may add more"), "checkbox", default=False),
            Field("source", _("only from source"), "select", choices=sources_or_any),
            Field("app", _("only from app")),
            Field("min_priority", _("only at priority or above"), "select", choices=priorities_or_none),
            Field("min_amount", _("only when the amount is at least"), "amount"),
        ),
        ((_("category"), _named("category", "categories")), (_("who hears it"), _route_target), (_("only when"), _route_only),
         (_("continues"), _yes_no("continue", False))),
        movable=True, whole="target",
    ),
    Page(
        "subsystems", "subsystems", _("Subsystems"), _("Business units; each has its departments."),
        (Field("slug", _("slug"), help=SLUG_HELP, fixed=True), NAME),
        ((_("slug"), _get("slug")), (_("name"), _get("name"))),
    ),
    Page(
        "departments", "departments", _("Departments"), _("Their speakers follow the department's topic; shifts are in its time zone."),
        (
            Field("slug", _("slug"), help=SLUG_HELP, fixed=True),
            NAME,
            Field("subsystem", _("subsystem"), "select", choices=subsystems),
            Field("timezone", _("time zone"), help=_("like Asia/Shanghai; empty: the hub's")),
            Field("managers", _("managers"), "multiselect", choices=lambda: logins()[1:], extra=True,
                  help=_("their logins see and acknowledge everything routed to the department and its staff")),
        ),
        ((_("slug"), _get("slug")), (_("name"), _get("name")), (_("subsystem"), _get("subsystem")), (_("time zone"), _get("timezone"))),
    ),
    Page(
        "staff", "staff", _("Staff"), _("People: their number (in their personal topic), department, shifts and dashboard login."),
        (
            Field("number", _("number"), help=SLUG_HELP, fixed=True),
            NAME,
            Field("department", _("department"), "select", choices=departments),
            Field("contact", _("contact")),
            Field("timezone", _("time zone"), help=_("like Asia/Shanghai; empty: the department's")),
            Field("shifts", _("shifts, one a line"), "shifts",
                  help=_("days (mon tue wed thu fri sat sun), then the hours: “mon,tue,wed,thu,fri 09:00-18:00”; "
                         "an end before the start runs past midnight. No shifts: never on duty")),
            Field("alerts", _("receives outage alerts"), "checkbox", default=False),
            Field("summary", _("statistics summary"), "select", choices=summaries, default="off",
                  help=_("yesterday's (or last week's) numbers, sent to their own notification targets; "
                         "for admins and department managers with a login")),
            Field("login", _("dashboard login"), "select", choices=logins, extra=True),
        ),
        ((_("number"), _get("number")), (_("name"), _get("name")), (_("department"), _named("department", "departments")),
         (_("shifts"), _shifts), (_("dashboard login"), _login)),
    ),
    Page(
        "escalation", "categories", _("Escalation"),
        _("An unacknowledged message is announced again every few minutes, a number of times, then once to someone who can act."),
        (
            Field("on", _("chase unacknowledged messages"), "checkbox", keys=("escalation",)),
            Field("after_minutes", _("every (minutes)"), "number", default=5),
            Field("repeat", _("reminders"), "number", default=2),
            Field("target", _("then escalate to"), "target", choices=escalation_targets),
        ),
        ((_("category"), _get("slug")), (_("name"), _category_name), (_("escalation"), _escalation)),
        can_add=False, can_delete=False, wrap="escalation",
    ),
    Page(
        "digests", "departments", _("Digests"),
        _("When a burst of announcements reaches a department, the rest of it is folded into one spoken digest."),
        (
            Field("on", _("fold bursts into a digest"), "checkbox", keys=("digest",)),
            Field("max_announcements", _("announcements said in a burst"), "number", default=5),
            Field("window_seconds", _("burst window (seconds)"), "number", default=60),
        ),
        ((_("department"), _get("slug")), (_("name"), _get("name")), (_("digest"), _digest)),
        can_add=False, can_delete=False, wrap="digest",
    ),
]}
