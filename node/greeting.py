"""What a speaker says about itself once it is up: that it is connected and which departments it
serves, or, while the broker refuses it, why (the way payment speakers announce their state).

Pure text and state on a monotonic clock; the agent speaks what this decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from mqtt import DepartmentName, Route

from .tts import primary_language

# Wait this long after connecting before greeting: the hub's retained config
# (the departments it serves now) arrives in that time.
GREET_AFTER_S = 2.0

TEXTS: dict[str, dict[str, str]] = {
    "zh": {"connected": "已连接服务器，服务部门：{departments}。", "no_department": "已连接服务器，尚未分配部门。",
           "refused": "无法连接服务器：{why}。", "credentials": "用户名或密码错误",
           "refused_other": "服务器拒绝连接（{reason}）"},
    "en": {"connected": "Connected. Serving {departments}.", "no_department": "Connected. No department yet.",
           "refused": "Cannot connect to the server: {why}.", "credentials": "the user name or password is wrong",
           "refused_other": "the server refused the connection ({reason})"},
}
# MQTT CONNACK reasons (v5 and v3.1.1 wording, as paho prints them) that mean the credentials.
CREDENTIAL_REASONS = ("bad user name or password", "not authorized", "not authorised")


def _lang(lang: str) -> str:
    code = primary_language(lang)
    return code if code in TEXTS else "en"


# Han characters (as node.tts_say tells a Chinese text): an English voice reads each one as "Chinese letter".
_HAN = re.compile(r"[\u3400-\u9fff]")


def department_name(slug: str, names: Mapping[str, DepartmentName] | None, lang: str) -> str:
    """What to call department ``slug`` in ``lang``: the hub's name for it, else the slug.

    English takes the English name; without one, the hub's name unless it is
    written in Han characters (the English voice would say "Chinese letter"
    for each), else the slug, which is an English word more often than not.
    """
    known = (names or {}).get(slug)
    if known is None:
        return slug  # a hub before department names, or one that left this name out
    if _lang(lang) != "en":
        return known.name
    if known.name_en:
        return known.name_en
    return slug if _HAN.search(known.name) else known.name


def connected_text(
    routes: Iterable[Route], lang: str, names: Mapping[str, DepartmentName] | None = None
) -> tuple[str, str]:
    """"Connected, serving …" naming each department (and staff number) once, in route order.

    ``names``: the hub's department names (NodeConfig.department_names), said
    instead of the slugs. A staff route is said by its number, the way staff
    are known on the hub and in its topics ("财务部门 003").
    """
    code = _lang(lang)
    said = ((department_name(r.department, names, code), r.staff) for r in routes if r.department is not None)
    spoken = list(dict.fromkeys(f"{department} {staff}" if staff else department for department, staff in said))
    if not spoken:
        return TEXTS[code]["no_department"], code
    joiner = "、" if code == "zh" else ", "
    return TEXTS[code]["connected"].format(departments=joiner.join(spoken)), code


def refused_text(reason: str, lang: str) -> tuple[str, str]:
    """"Cannot connect: wrong password" (or the broker's own reason) for a refused CONNECT."""
    code = _lang(lang)
    if any(word in reason.lower() for word in CREDENTIAL_REASONS):
        why = TEXTS[code]["credentials"]
    else:
        why = TEXTS[code]["refused_other"].format(reason=reason)
    return TEXTS[code]["refused"].format(why=why), code


class Greeter:
    """Due once, :data:`GREET_AFTER_S` after the first connection of this run."""

    def __init__(self) -> None:
        self._due_at: float | None = None
        self._done = False

    def connected(self, mono: float) -> None:
        if not self._done and self._due_at is None:
            self._due_at = mono + GREET_AFTER_S

    def due(self, mono: float) -> bool:
        if self._due_at is None or mono < self._due_at:
            return False
        self._due_at = None
        self._done = True
        return True
