"""Topic templates: the only place a ShopCrier topic string is built or read.

A template such as ``"announce/{subsystem}/{department}"`` sits under a base
(``shopcrier`` unless configured otherwise). :class:`Topic` formats it from ids,
reads the ids back out of a concrete topic, and makes a subscription filter
with ``+`` for the ids left open.
"""

from __future__ import annotations

import re
from typing import ClassVar

from .errors import PayloadError
from .fields import SLUG_RE

DEFAULT_BASE = "shopcrier"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_BASE_RE = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\Z")


def check_base(base: str) -> str:
    if not _BASE_RE.match(base):
        raise PayloadError("topic.base", f"{base!r} is not a valid base topic")
    return base


def check_segment(name: str, value: str) -> str:
    """An id that goes into a topic: a slug, so it cannot add levels or wildcards."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise PayloadError(f"topic.{name}", f"{value!r} must be a slug (letters, digits, - and _)")
    return value


def shared(topic_filter: str, group: str) -> str:
    """An MQTT 5 shared subscription: the broker hands each message to one member of ``group``."""
    check_segment("group", group)
    return f"$share/{group}/{topic_filter}"


class Topic:
    """One topic template under a base."""

    names: tuple[str, ...]

    def __init__(self, template: str) -> None:
        self.template = template
        self.names = tuple(_PLACEHOLDER.findall(template))
        self._levels = template.split("/")

    def format(self, base: str = DEFAULT_BASE, **ids: str) -> str:
        if set(ids) != set(self.names):
            raise TypeError(f"{self.template} takes {self.names}, got {tuple(ids)}")
        for name, value in ids.items():
            check_segment(name, value)
        return f"{check_base(base)}/{self.template.format(**ids)}"

    def filter(self, base: str = DEFAULT_BASE, **ids: str) -> str:
        """A subscription filter: given ids filled in, the rest ``+``."""
        unknown = set(ids) - set(self.names)
        if unknown:
            raise TypeError(f"{self.template} has no {sorted(unknown)}")
        for name, value in ids.items():
            check_segment(name, value)
        filled = {name: ids.get(name, "+") for name in self.names}
        return f"{check_base(base)}/{self.template.format(**filled)}"

    def parse(self, topic: str, base: str = DEFAULT_BASE) -> dict[str, str] | None:
        """The ids in ``topic``, or None when it is not this template's."""
        prefix = check_base(base) + "/"
        if not topic.startswith(prefix):
            return None
        levels = topic[len(prefix):].split("/")
        if len(levels) != len(self._levels):
            return None
        ids: dict[str, str] = {}
        for pattern, level in zip(self._levels, levels):
            match = _PLACEHOLDER.fullmatch(pattern)
            if match:
                if not SLUG_RE.match(level):
                    return None
                ids[match.group(1)] = level
            elif pattern != level:
                return None
        return ids


class Topical:
    """Mixin for a message that owns one topic template (``TOPIC``)."""

    TOPIC: ClassVar[Topic]

    @classmethod
    def topic(cls, base: str = DEFAULT_BASE, **ids: str) -> str:
        return cls.TOPIC.format(base, **ids)

    @classmethod
    def subscription(cls, base: str = DEFAULT_BASE, **ids: str) -> str:
        return cls.TOPIC.filter(base, **ids)

    @classmethod
    def parse_topic(cls, topic: str, base: str = DEFAULT_BASE) -> dict[str, str] | None:
        return cls.TOPIC.parse(topic, base)

    @classmethod
    def is_topic(cls, topic: str, base: str = DEFAULT_BASE) -> bool:
        return cls.TOPIC.parse(topic, base) is not None
