"""A settings form's fields: what a person types, turned into the file's values.

A field reads its text from the posted form into the values of the
configuration file's entry (``{"patterns": [...]}``) and shows an entry's
values as text again. It checks only what is about the web form itself (a
line that cannot be split into days and hours, JSON that does not parse);
every rule about the values is the loader's (hub.confio), see entries.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _

Choices = Callable[[], list[tuple[str, str]]]
_INTEGER = re.compile(r"^-?\d{1,12}\Z")
_NUMBER = re.compile(r"^\d{1,13}(\.\d+)?\Z")
_SHIFT = re.compile(r"^(?P<days>.+?)\s+(?P<start>\S+)\s*[-–~]\s*(?P<end>\S+)\Z")


class Unreadable(ValueError):
    """The form's text for a field cannot be put in a file entry at all (not a rule refusal)."""


@dataclass(frozen=True)
class Field:
    """``name`` is the form field and, unless ``keys`` says more, the file key it sets.

    ``kind``: ``text``, ``lines`` (one value a line), ``number``, ``amount``, ``select``,
    ``checkbox``, ``json``, ``target`` (``department:x`` / ``staff:y`` / ``everyone``),
    ``shifts`` (``mon,tue 09:00-18:00`` a line). ``fixed``: set when the row is made (a
    slug that names topics), shown but not changed afterwards. ``extra``: not in the file
    (a staff member's login); the page saves it itself.
    """

    name: str
    label: Promise | str
    kind: str = "text"
    help: Promise | str = ""
    choices: Choices | None = None
    keys: tuple[str, ...] = ()
    fixed: bool = False
    extra: bool = False
    default: Any = ""

    @property
    def file_keys(self) -> tuple[str, ...]:
        return self.keys or (("department", "staff", "everyone") if self.kind == "target" else (self.name,))

    def owns(self, where: str, prefix: str = "") -> bool:
        """A refusal at ``where`` (``shifts[1].days``, ``escalation.staff``) is about this field."""
        return any(where == prefix + k or where.startswith((prefix + k + ".", prefix + k + "[")) for k in self.file_keys)

    # -- form text -> file values ---------------------------------------------------------------
    def read(self, post: QueryDict) -> dict[str, Any]:
        """The file values this field sets (None: the key left out, the loader's default)."""
        raw = post.get(self.name, "")
        text = raw.strip()
        if self.kind == "checkbox":
            return {self.name: self.name in post}
        if self.kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            return {self.name: lines or None}
        if self.kind == "number":
            return {self.name: int(text) if _INTEGER.match(text) else (text or None)}
        if self.kind == "amount":
            return {self.name: (int(text) if text.isdigit() else float(text)) if _NUMBER.match(text) else (text or None)}
        if self.kind == "json":
            return {self.name: _json(text)}
        if self.kind == "target":
            return _target(text)
        if self.kind == "shifts":
            return {self.name: [_shift(i, line) for i, line in enumerate(raw.splitlines(), start=1) if line.strip()]}
        return {self.name: text or None}

    # -- file values -> form text ------------------------------------------------------------------
    def show(self, entry: Mapping[str, Any]) -> Any:
        """The form's value for ``entry`` (an empty entry: a new row)."""
        if self.kind == "target":
            for key in ("department", "staff"):
                if entry.get(key):
                    return f"{key}:{entry[key]}"
            return "everyone" if entry.get("everyone") else ""
        value = entry.get(self.name, self.default)
        if self.kind == "checkbox":
            return bool(value)
        if self.kind == "lines":
            return "\n".join(value or ())
        if self.kind == "json":
            return json.dumps(value, ensure_ascii=False) if value else ""
        if self.kind == "shifts":
            return "\n".join(f"{','.join(s['days'])} {s['start']}-{s['end']}" for s in value or ())
        return "" if value is None else str(value)


def _json(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(_("this is not JSON: %(reason)s") % {"reason": getattr(exc, "msg", str(exc))}) from None


def _target(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"department": None, "staff": None, "everyone": None}
    kind, _sep, slug = text.partition(":")
    if kind in ("department", "staff") and slug:
        out[kind] = slug
    elif text == "everyone":
        out["everyone"] = True
    elif text:
        raise Unreadable(_("choose who hears it from the list"))
    return out


def _shift(number: int, line: str) -> dict[str, Any]:
    found = _SHIFT.match(line.strip())
    if found is None:
        raise Unreadable(_("line %(n)s: write the days, then the hours, like “mon,tue,wed 09:00-18:00”") % {"n": number})
    days = [d for d in re.split(r"[\s,，、]+", found.group("days").lower()) if d]
    return {"days": days, "start": found.group("start"), "end": found.group("end")}
