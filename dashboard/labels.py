"""Words a person reads for stored codes (priorities, delivery states, receipts), and
categories' names in the reader's language.

A code this table does not know is shown as it is: the outbox may grow new
states, and the story page must keep working (and say what the row says).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hub.monitor.models import Alert
from hub.monitor.spoken import spoken_alert
from hub.rules.models import Category

LABELS: dict[str, dict[str, str | Promise]] = {
    "priority": {"normal": _("normal"), "high": _("high"), "urgent": _("urgent")},
    "delivery": {
        "pending": _("waiting to be sent"),
        "sent": _("sent"),
        "expired": _("expired before sending"),
        "suppressed": _("kept quiet (quiet hours or digest)"),
        "cancelled": _("cancelled (acknowledged first)"),
        "no_speaker": _("no speaker follows it"),
    },
    "notification": {"pending": _("waiting to be sent"), "sending": _("being sent"), "sent": _("sent"), "failed": _("failed")},
    "receipt": {"played": _("played"), "failed": _("failed"), "expired": _("expired")},
    "alert": {"node": _("speaker"), "source": _("platform source"), "broker": _("hub ↔ broker")},
    "weekday": {
        "mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"), "fri": _("Fri"), "sat": _("Sat"), "sun": _("Sun"),
    },
}


def label(code: str, kind: str) -> str:
    return str(LABELS.get(kind, {}).get(code, code))


def category_name(category: Category | None) -> str:
    """A category's name in the page's language (English falls back to the Chinese name);
    every page that shows a category's name asks this."""
    if category is None:
        return str(_("unclassified"))
    return category.name_in(translation.get_language() or "zh-hans")


def category_names() -> dict[str, str]:
    """Every category's name in the page's language, by slug (for lists, charts, exports)."""
    return {c.slug: category_name(c) for c in Category.objects.only("slug", "name", "name_en")}


def alert_headline(alert: Alert) -> str:
    """What an alert is about, in a few words of the page's language ("订单部门音箱离线", the
    sentence the speakers say). The alert's own text is the hub's English for the technical
    department (ids, times, errors): the alerts page shows it below."""
    lang = "zh" if (translation.get_language() or "zh-hans").startswith("zh") else "en"
    return spoken_alert(alert, "resolved" if alert.resolved_at else "opened", lang)
