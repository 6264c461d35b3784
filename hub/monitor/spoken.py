"""What a speaker says about an alert: a few words in the hub's language, not the full text.

The full text ("Speaker spk-orders-1 is offline: its connection to the broker
dropped (last heartbeat 2026-11-25 10:00:00 UTC)") stays the alert's and its
message's: screens, the admin and ``shopcrier/alerts`` show it. Said aloud it
would take ten seconds of English; a Chinese shop needs "订单部门音箱离线".

Each sentence names the subject the way the shop names it (the department's
own name for a speaker) and what happened, nothing else: no ids, times or
error codes. Everything is read from the alert (its ``kind``, its ``key``
and whether it is ``flapping``) and the registry, so the checks that raise
alerts need not know about speech.
"""

from __future__ import annotations

import re

from hub.intake.models import Source
from hub.intake.poller import SUSPENDED
from hub.org.models import SpeakerNode

from .models import MONITOR_SOURCE, Alert

_HTTP = re.compile(r"^HTTP (\d{3})")
_TIMEOUT = ("no reply within", "could not connect within", "still arriving after")

# (zh, en) for each thing that can happen to a subject; {s} is the subject.
_NODE = {
    "opened": ("{s}音箱离线", "{s} speaker is offline."),
    "resolved": ("{s}音箱已恢复", "{s} speaker is back online."),
    "flapping": ("{s}音箱时断时续", "{s} speaker keeps dropping out."),
    "stable": ("{s}音箱已稳定", "{s} speaker is stable again."),
    "retired": ("{s}音箱已停用", "{s} speaker was taken out of service."),
}
_MUTE = {
    "opened": ("{s}音箱无法发声", "{s} speaker cannot play sound."),
    "resolved": ("{s}音箱恢复发声", "{s} speaker plays sound again."),
    "flapping": ("{s}音箱时而无声", "{s} speaker keeps going mute."),
    "stable": ("{s}音箱发声已稳定", "{s} speaker plays sound steadily again."),
}
_SOURCE = {
    "auth": ("{s}拒绝了密钥", "{s} refuses our key."),
    "server": ("{s}服务器故障", "{s} has a server fault."),
    "rate": ("{s}请求被限流", "{s} is rate-limiting us."),
    "suspended": ("{s}暂停了我们的查询", "{s} has suspended our polling."),
    "timeout": ("{s}无响应", "{s} is not answering."),
    "unreachable": ("连不上{s}", "Cannot reach {s}."),
    "failing": ("{s}接口出错", "{s} returns errors."),
    "slow": ("{s}响应很慢", "{s} is slow."),
    "resolved": ("{s}已恢复", "{s} is back to normal."),
    "flapping": ("{s}时断时续", "{s} keeps failing on and off."),
    "stable": ("{s}已稳定", "{s} is stable again."),
}
_BROKER = {
    "opened": ("消息服务器断线", "Message server link lost."),
    "resolved": ("消息服务器已恢复", "Message server link restored."),
    "flapping": ("消息服务器时断时续", "Message server link keeps dropping."),
    "stable": ("消息服务器已稳定", "Message server link stable again."),
}


def spoken_alert(alert: Alert, state: str, lang: str) -> str:
    """The short sentence for ``alert`` having been ``opened`` or ``resolved``, in ``lang`` (zh, else en)."""
    flapping = alert.state == Alert.FLAPPING or (state == "resolved" and alert.flaps > 0)
    change = ("flapping" if state == "opened" else "stable") if flapping else state
    if alert.kind == Alert.NODE:
        node_id = alert.key.removeprefix("node:").split(":")[0]
        if alert.key.endswith(":mute"):  # online but mute (nodes.check_mute)
            return _say(_MUTE[change], _speaker(node_id, lang), lang)
        if state == "resolved" and SpeakerNode.objects.filter(node_id=node_id, enabled=False).exists():
            change = "retired"  # revoked, not back: "back online" would be untrue
        return _say(_NODE[change], _speaker(node_id, lang), lang)
    if alert.kind == Alert.SOURCE:
        name = alert.key.removeprefix("source:")
        slow = name.endswith(":slow")
        name = name.removesuffix(":slow")
        if change == "opened":
            change = "slow" if slow else _source_problem(name)
        return _say(_SOURCE[change], _platform(name, lang), lang)
    return _say(_BROKER[change], "", lang)


def _say(wording: tuple[str, str], subject: str, lang: str) -> str:
    zh, en = wording
    text = (zh if lang == "zh" else en).format(s=subject)
    return text[:1].upper() + text[1:]


def _speaker(node_id: str, lang: str) -> str:
    """The department a speaker serves, as the shop names it; "one of" it when it has several."""
    node = SpeakerNode.objects.filter(node_id=node_id).select_related("department").first()
    if node is None:
        return "一台未登记的" if lang == "zh" else "an unregistered"
    department = node.department
    several = SpeakerNode.objects.filter(department=department, enabled=True).count() > 1
    if lang == "zh":
        return f"{department.name}一台" if several else department.name
    name = department.name if department.name.isascii() else department.slug.replace("-", " ").replace("_", " ")
    name = name.lower()
    return f"one {name}" if several else name


def _platform(name: str, lang: str) -> str:
    """"the shop platform", with the source's name only when there are several to tell apart."""
    several = Source.objects.exclude(name=MONITOR_SOURCE).filter(enabled=True).count() > 1
    if lang == "zh":
        return f"平台{name}" if several else "平台"
    return f"shop platform {name}" if several else "the shop platform"


def _source_problem(name: str) -> str:
    """What the source's last failed poll says went wrong (the same reading as sources.wording)."""
    error = Source.objects.filter(name=name).values_list("last_error", flat=True).first() or ""
    if SUSPENDED in error:
        return "suspended"
    found = _HTTP.match(error)
    if found:
        code = int(found.group(1))
        if code in (401, 403):
            return "auth"
        if code == 429:
            return "rate"
        return "server" if code >= 500 else "failing"
    if any(marker in error for marker in _TIMEOUT):
        return "timeout"
    if error.startswith("request failed"):
        return "unreachable"
    return "failing"
