"""The daily or weekly summary, through the notification channels, to the people who asked.

Off by default; ``Staff.summary`` switches it on for one person (``daily``, or ``weekly`` on
Mondays). Only an admin or a department manager with a dashboard login gets one, and it holds
what their dashboard would show them: an admin everything, a manager their departments.

At ``settings.STATS_SUMMARY_HOUR`` of the shop's day (or at the first round of the stats
worker after it), each such person's own enabled targets are owed one summary of yesterday
(of last week): counts by category against the same weekday of the week before (the week
before), acknowledgements and SLA breaches, the slowest responses, and outages. It is written
in the person's dashboard language (Chinese unless they chose English) as a message-less
:class:`~hub.notify.models.Notification`: ``announcement_id`` ``summary:<kind>:<first day>``,
unique per target, so however many times the worker writes it, a target has one row; the
notification sender claims, retries and sends it as any other, with its own id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from dashboard.models import Preference
from dashboard.reports import labelled
from dashboard.roles import viewer_of
from hub.notify.models import Notification, Target
from hub.org.models import Staff

from .days import shop_zone
from .models import MessageFact
from .outages import outages
from .reports import Query

log = logging.getLogger(__name__)

Kind = Literal["daily", "weekly"]
SLOWEST = 3


@dataclass(frozen=True)
class Period:
    """``kind`` over the shop days ``start`` … ``end``; compared with the same days a week earlier."""

    kind: Kind
    start: date
    end: date

    @property
    def key(self) -> str:
        return f"summary:{self.kind}:{self.start.isoformat()}"

    def before(self) -> Period:
        return Period(self.kind, self.start - timedelta(days=7), self.end - timedelta(days=7))


def due(now: datetime) -> list[Period]:
    """The periods whose summary is owed at ``now``: yesterday's once the hour has come, and on a
    Monday last week's."""
    local = now.astimezone(shop_zone())
    if local.hour < settings.STATS_SUMMARY_HOUR:
        return []
    yesterday = local.date() - timedelta(days=1)
    found = [Period("daily", yesterday, yesterday)]
    if local.weekday() == 0:
        found.append(Period("weekly", yesterday - timedelta(days=6), yesterday))
    return found


def write_summaries(now: datetime) -> int:
    """Owe each subscriber's targets the summaries due at ``now`` (once: the rows' unique key);
    returns the rows written."""
    written = 0
    for period in due(now):
        for person in Staff.objects.filter(summary=period.kind, user__isnull=False).select_related("user"):
            targets = list(Target.objects.filter(staff=person, enabled=True))
            have = set(Notification.objects.filter(announcement_id=period.key, target__in=targets).values_list("target_id", flat=True))
            missing = [t for t in targets if t.pk not in have]
            if not missing:
                continue
            assert person.user is not None
            viewer = viewer_of(person.user)
            if viewer is None or viewer.role not in ("admin", "manager"):
                log.info("summary: %s has no admin or manager login, so no summary", person.number)
                continue
            departments = None if viewer.is_admin else frozenset(viewer.managed | ({viewer.own_department} if viewer.own_department else set()))
            title, body = compose(period, departments, language_of(person), now)
            rows = [Notification(message=None, announcement_id=period.key, target=t, title=title, body=body) for t in missing]
            written += len(Notification.objects.bulk_create(rows, ignore_conflicts=True))
            log.info("summary %s owed to %s (%d target(s))", period.key, person.number, len(missing))
    return written


def language_of(person: Staff) -> str:
    if person.user_id is None:
        return str(settings.DASHBOARD_LANGUAGE)
    chosen = Preference.objects.filter(user_id=person.user_id).values_list("language", flat=True).first()
    return chosen or settings.DASHBOARD_LANGUAGE


def compose(period: Period, departments: frozenset[str] | None, lang: str, now: datetime) -> tuple[str, str]:
    """The summary's title and text, in ``lang``, of what ``departments`` (None: all) saw."""
    with translation.override(lang):
        current = labelled(Query("category", period.start, period.end, departments))
        before = labelled(Query("category", period.before().start, period.before().end, departments))
        if period.kind == "daily":
            title = _("ShopCrier daily summary, %(day)s") % {"day": period.start.isoformat()}
            compared = _("same weekday last week")
        else:
            title = _("ShopCrier weekly summary, %(start)s to %(end)s") % {"start": period.start.isoformat(), "end": period.end.isoformat()}
            compared = _("the week before")
        total, earlier = current["total"], before["total"]
        lines = [_("Messages: %(n)d (%(compared)s: %(before)d, %(change)s)") % {
            "n": total["messages"], "compared": compared, "before": earlier["messages"],
            "change": _change(total["messages"], earlier["messages"])}]
        was = {row["key"]: row["messages"] for row in before["rows"]}
        for row in sorted(current["rows"], key=lambda r: (-r["messages"], r["key"])):
            lines.append(_("  %(category)s: %(n)d (%(before)d)") % {"category": row["label"], "n": row["messages"],
                                                                  "before": was.get(row["key"], 0)})
        lines.append(_("Acknowledged: %(acked)d; past the target: %(late)d") % {"acked": total["acknowledged"],
                                                                                 "late": total["sla_breaches"]})
        if total["ack_p50"] is not None:
            lines.append(_("Time to acknowledge: half within %(p50)s, 90%% within %(p90)s") % {
                "p50": duration(total["ack_p50"]), "p90": duration(total["ack_p90"])})
        lines += _slowest(period, departments)
        lines.append(_outages(period, departments, now))
    return title, "\n".join(lines)


def _slowest(period: Period, departments: frozenset[str] | None) -> list[str]:
    facts = MessageFact.objects.filter(day__gte=period.start, day__lte=period.end)
    if departments is not None:
        facts = facts.filter(department__in=sorted(departments))
    slow = list(facts.filter(acked_after__isnull=False).order_by("-acked_after", "message_id")[:SLOWEST])
    waiting = facts.filter(acked_after__isnull=True).count()
    lines = [_("Slowest responses:")] if slow or waiting else []
    names = {row["key"]: row["label"] for row in labelled(Query("category", period.start, period.end, departments))["rows"]}
    for fact in slow:
        assert fact.acked_after is not None
        lines.append(_("  %(category)s, message %(id)d: acknowledged after %(wait)s") % {
            "category": names.get(fact.category, fact.category), "id": fact.message_id, "wait": duration(fact.acked_after)})
    if waiting:
        lines.append(_("  not acknowledged: %(n)d") % {"n": waiting})
    return lines


def _outages(period: Period, departments: frozenset[str] | None, now: datetime) -> str:
    found = outages(period.start, period.end, now, departments)
    speakers, sources, broker = (round(sum(found[k])) for k in ("speaker_minutes", "source_minutes", "broker_minutes"))
    if not (speakers or sources or broker):
        return _("Outages: none")
    return _("Outages: speakers %(speakers)d min, platform %(sources)d min, broker %(broker)d min") % {
        "speakers": speakers, "sources": sources, "broker": broker}


def _change(now: int, before: int) -> str:
    if before == 0:
        return _("none before") if now else "±0%"
    return f"{(now - before) / before * 100:+.0f}%"


def duration(seconds: float) -> str:
    if seconds < 120:
        return _("%(n)d s") % {"n": round(seconds)}
    if seconds < 7200:
        return _("%(n)d min") % {"n": round(seconds / 60)}
    return _("%(n).1f h") % {"n": seconds / 3600}
