"""The fleet: every speaker a viewer may see, its health, and commands with their replies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf.locale import LANG_INFO
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

import mqtt
from hub.monitor.models import Alert, NodeHealth
from hub.intake.models import Message
from hub.org.models import SpeakerNode
from hub.outbox.models import Delivery

from .. import commands
from ..access import forbidden, signed_in
from ..roles import Viewer


@dataclass
class Row:
    node: SpeakerNode
    health: NodeHealth | None
    may_command: bool
    last_played: Message | None = None

    @property
    def status(self) -> str:
        return self.health.status if self.health else NodeHealth.UNKNOWN

    @property
    def telemetry(self) -> dict[str, Any]:
        """The last heartbeat as the monitor stored it ({} before the first)."""
        return self.health.telemetry if self.health and isinstance(self.health.telemetry, dict) else {}

    @property
    def voices(self) -> list[tuple[str, str]]:
        """Who speaks each language, from the last heartbeat: [("中文", "espeak-ng cmn-latn-pinyin"), …]."""
        return voice_list(self.telemetry.get("voices"))


# A language is named in its own words (as language pickers do), so a person finds theirs in any UI language.
AUTONYMS = {"zh": "中文", "yue": "粵語", "en": "English"}


def language_name(code: str) -> str:
    """``zh`` → 中文, ``en`` → English, ``ja`` → 日本語; an unknown code as it is."""
    code = code.lower()
    info = LANG_INFO.get(code, {})
    return AUTONYMS.get(code) or str(info.get("name_local") or code)


def voice_list(voices: object) -> list[tuple[str, str]]:
    """The heartbeat's ``voices`` ({"zh": "espeak-ng:cmn-latn-pinyin"}) as (language, "espeak-ng cmn-latn-pinyin")
    pairs, the hub's languages first; anything not a mapping of strings is shown as nothing."""
    if not isinstance(voices, dict):
        return []
    order = {"zh": 0, "en": 1}
    pairs = [(k, v) for k, v in voices.items() if isinstance(k, str) and isinstance(v, str)]
    pairs.sort(key=lambda kv: (order.get(kv[0], 2), kv[0]))
    return [(language_name(k), v.replace(":", " ", 1)) for k, v in pairs]


def rows_for(viewer: Viewer) -> list[Row]:
    nodes = SpeakerNode.objects.select_related("department").order_by("department__slug", "node_id")
    if not viewer.is_admin:
        nodes = nodes.filter(department__slug__in=viewer.managed | ({viewer.own_department} if viewer.own_department else set()))
    health = {h.node_id: h for h in NodeHealth.objects.filter(node_id__in=[n.node_id for n in nodes])}
    rows = [Row(n, health.get(n.node_id), viewer.may_command(n.department.slug)) for n in nodes]
    played = {str(r.telemetry.get("last_played")) for r in rows if r.telemetry.get("last_played")}
    said: dict[str, Message] = {
        d.announcement_id: d.message
        for d in Delivery.objects.filter(announcement_id__in=played, message__isnull=False).select_related("message")
        if d.message is not None
    }
    # a speaker may also say what this viewer may not read: name only what they may see
    visible = set(viewer.visible(Message.objects.filter(pk__in=[m.pk for m in said.values()])).values_list("pk", flat=True))
    for row in rows:
        message = said.get(str(row.telemetry.get("last_played", "")))
        row.last_played = message if message is not None and message.pk in visible else None
    return rows


@require_GET
@signed_in
def fleet_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    template = "dashboard/_fleet_table.html" if request.GET.get("fragment") else "dashboard/fleet.html"
    return render(request, template, {"rows": rows_for(viewer)})


@require_POST
@signed_in
def command(request: HttpRequest, viewer: Viewer, node_id: str) -> HttpResponseBase:
    node = SpeakerNode.objects.select_related("department").filter(node_id=node_id).first()
    if node is None or not viewer.may_command(node.department.slug):
        return forbidden(request, _("you may not command this speaker"))
    cmd = request.POST.get("cmd", "")
    try:
        args = commands.parse_args(cmd, {k: str(v) for k, v in request.POST.items()})
        command_id = commands.send(node_id, cmd, args)
    except mqtt.PayloadError as exc:
        return JsonResponse({"error": _("bad command: %(reason)s") % {"reason": exc}}, status=400)
    except commands.CommandError as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    return JsonResponse({"id": command_id, "node": node_id, "cmd": cmd}, status=202)


@require_GET
@signed_in
def alerts_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).order_by("-opened_at")
    resolved = Alert.objects.filter(resolved_at__isnull=False).order_by("-resolved_at")[:50]
    template = "dashboard/_alerts_banner.html" if request.GET.get("fragment") else "dashboard/alerts.html"
    return render(request, template, {"open_alerts": open_alerts, "resolved": resolved})
