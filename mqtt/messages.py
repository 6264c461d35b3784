"""The messages of the MQTT contract (docs/mqtt.md has the table).

Each message is a frozen dataclass that owns its topic (``topic()``,
``parse_topic()``, ``subscription()``) and its JSON (``to_json()``,
``from_json()``). ``from_json`` validates everything and raises
:class:`~mqtt.errors.PayloadError` naming the field; receivers log that and
drop the message. All payloads carry ``"v": 1``; times are RFC 3339 UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal, Self

from .errors import PayloadError
from .fields import ID_RE, LANG_RE, SHA256_RE, SLUG_RE, Reader, decode, encode, format_time
from .topics import DEFAULT_BASE, Topic, Topical, check_base, check_segment

Priority = Literal["normal", "high", "urgent"]
PRIORITIES: tuple[Priority, ...] = ("normal", "high", "urgent")
ReceiptStatus = Literal["played", "failed", "expired"]
RECEIPT_STATUSES: tuple[ReceiptStatus, ...] = ("played", "failed", "expired")
COMMANDS = ("say", "volume", "replay", "identify", "reload")
MAX_TEXT = 2000  # what a speaker is asked to say
# A message's whole content as the hub stores it (hub.intake.adapters.generic.MAX_CONTENT), and an alert's
# text (which may quote a platform's error): readers take all of it. Even if every character needed a
# six-byte JSON escape, such a payload stays under MAX_PAYLOAD_BYTES.
MAX_EVENT_TEXT = 10_000
# A node config's routes (its department and each staff member it follows) and quiet-hours windows:
# at the longest slugs, this many still fit in MAX_PAYLOAD_BYTES. The hub sends no more than these.
MAX_ROUTES = 250
MAX_QUIET_HOURS = 20
# A department's name as the hub stores it (hub.org.models.Department.name). A config holds at most one
# name per department it routes to; the hub leaves out the names that would not fit in MAX_PAYLOAD_BYTES.
MAX_DEPARTMENT_NAME = 200
_URL_RE = re.compile(r"^https?://[^\s]+\Z")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Route:
    """Where an announcement goes: a department, one of its staff, or everyone.

    ``subsystem`` and ``department`` are both None only for ``announce/all``.
    """

    subsystem: str | None = None
    department: str | None = None
    staff: str | None = None

    def __post_init__(self) -> None:
        if (self.subsystem is None) != (self.department is None):
            raise PayloadError("route", "subsystem and department go together")
        if self.staff is not None and self.department is None:
            raise PayloadError("route.staff", "a staff route needs its department")
        for name in ("subsystem", "department", "staff"):
            value = getattr(self, name)
            if value is not None:
                check_segment(name, value)

    @property
    def is_all(self) -> bool:
        return self.department is None

    def to_dict(self) -> dict[str, str | None]:
        return {"subsystem": self.subsystem, "department": self.department, "staff": self.staff}

    @classmethod
    def read(cls, r: Reader) -> Route:
        # Read the fields outside the try, so a bad slug keeps its own field name.
        subsystem = r.str("subsystem", optional=True, max_len=64, pattern=SLUG_RE)
        department = r.str("department", optional=True, max_len=64, pattern=SLUG_RE)
        staff = r.str("staff", optional=True, max_len=64, pattern=SLUG_RE)
        try:
            return cls(subsystem=subsystem, department=department, staff=staff)
        except PayloadError as exc:  # the fields are slugs already; only their combination is left
            raise PayloadError(r.kind + exc.field.removeprefix("route"), exc.reason) from None


_ANNOUNCE_ALL = Topic("announce/all")
_ANNOUNCE_DEPARTMENT = Topic("announce/{subsystem}/{department}")
_ANNOUNCE_STAFF = Topic("announce/{subsystem}/{department}/{staff}")


@dataclass(frozen=True)
class Announcement:
    """Something a speaker should say (and a screen show).

    ``expires_at``: after it the announcement is not played (an ``expired``
    receipt instead). ``sound`` names the prompt sound played before the
    speech; ``sound_url``/``sound_sha256`` say where to fetch it and how to
    check it.
    """

    id: str
    text: str
    category: str
    route: Route
    lang: str = "zh"
    priority: Priority = "normal"
    message_id: int | None = None
    sound: str | None = None
    sound_url: str | None = None
    sound_sha256: str | None = None
    created_at: datetime = field(default_factory=_now)
    expires_at: datetime | None = None

    KIND: ClassVar[str] = "announcement"

    # -- topics --------------------------------------------------------------
    def topic(self, base: str = DEFAULT_BASE) -> str:
        return self.topic_for(self.route, base)

    @staticmethod
    def topic_for(route: Route, base: str = DEFAULT_BASE) -> str:
        if route.is_all:
            return _ANNOUNCE_ALL.format(base)
        assert route.subsystem is not None and route.department is not None
        if route.staff is None:
            return _ANNOUNCE_DEPARTMENT.format(base, subsystem=route.subsystem, department=route.department)
        return _ANNOUNCE_STAFF.format(
            base, subsystem=route.subsystem, department=route.department, staff=route.staff
        )

    @staticmethod
    def parse_topic(topic: str, base: str = DEFAULT_BASE) -> Route | None:
        if _ANNOUNCE_ALL.parse(topic, base) is not None:
            return Route()
        for template in (_ANNOUNCE_DEPARTMENT, _ANNOUNCE_STAFF):
            ids = template.parse(topic, base)
            if ids is not None:
                return Route(**ids)
        return None

    @staticmethod
    def subscriptions(route: Route, base: str = DEFAULT_BASE) -> list[str]:
        """Filters a speaker for ``route`` subscribes to (always with ``announce/all``)."""
        topics = [_ANNOUNCE_ALL.format(base)]
        if not route.is_all:
            topics.append(Announcement.topic_for(route, base))
        return topics

    @staticmethod
    def all_filter(base: str = DEFAULT_BASE) -> str:
        """Every announcement, for a listener that watches them all."""
        return f"{check_base(base)}/announce/#"

    # -- JSON ---------------------------------------------------------------
    def to_json(self) -> bytes:
        return encode(
            {
                "id": self.id,
                "message_id": self.message_id,
                "category": self.category,
                "priority": self.priority,
                "text": self.text,
                "lang": self.lang,
                "sound": self.sound,
                "sound_url": self.sound_url,
                "sound_sha256": self.sound_sha256,
                "created_at": format_time(self.created_at),
                "expires_at": format_time(self.expires_at) if self.expires_at else None,
                "route": self.route.to_dict(),
            }
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        route = r.object("route")
        return cls(
            id=r.str("id", max_len=128, pattern=ID_RE),
            message_id=r.int("message_id", optional=True),
            category=r.str("category", max_len=64, pattern=SLUG_RE),
            priority=r.str("priority", choices=PRIORITIES),
            text=r.str("text", max_len=MAX_TEXT),
            lang=r.str("lang", max_len=16, pattern=LANG_RE),
            sound=r.str("sound", optional=True, max_len=64, pattern=SLUG_RE),
            sound_url=r.str("sound_url", optional=True, max_len=2000, pattern=_URL_RE),
            sound_sha256=r.str("sound_sha256", optional=True, max_len=64, pattern=SHA256_RE),
            created_at=r.time("created_at"),
            expires_at=r.time("expires_at", optional=True),
            route=Route.read(route),
        )

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class Event(Topical):
    """Every classified message, on ``events/{category}``, for other tools."""

    message_id: int
    category: str
    priority: Priority
    rule: str
    text: str
    source: str
    app: str | None = None
    user: str | None = None
    created_at: datetime = field(default_factory=_now)

    TOPIC: ClassVar[Topic] = Topic("events/{category}")
    KIND: ClassVar[str] = "event"

    def to_json(self) -> bytes:
        return encode(
            {
                "message_id": self.message_id,
                "category": self.category,
                "priority": self.priority,
                "rule": self.rule,
                "text": self.text,
                "source": self.source,
                "app": self.app,
                "user": self.user,
                "created_at": format_time(self.created_at),
            }
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        return cls(
            message_id=r.int("message_id"),
            category=r.str("category", max_len=64, pattern=SLUG_RE),
            priority=r.str("priority", choices=PRIORITIES),
            rule=r.str("rule", max_len=200),
            text=r.str("text", max_len=MAX_EVENT_TEXT),
            source=r.str("source", max_len=64),
            app=r.str("app", optional=True, max_len=64),
            user=r.str("user", optional=True, max_len=200),
            created_at=r.time("created_at"),
        )


@dataclass(frozen=True)
class Alert(Topical):
    """A communication or outage alert, opened or resolved, on ``alerts``."""

    id: str
    state: Literal["opened", "resolved"]
    subject: str
    text: str
    at: datetime = field(default_factory=_now)

    TOPIC: ClassVar[Topic] = Topic("alerts")
    KIND: ClassVar[str] = "alert"

    def to_json(self) -> bytes:
        return encode(
            {"id": self.id, "state": self.state, "subject": self.subject, "text": self.text, "at": format_time(self.at)}
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        return cls(
            id=r.str("id", max_len=128, pattern=ID_RE),
            state=r.str("state", choices=("opened", "resolved")),
            subject=r.str("subject", max_len=200),
            text=r.str("text", max_len=MAX_EVENT_TEXT),
            at=r.time("at"),
        )


class _Availability(Topical):
    """Retained ``online``/``offline``; the ``offline`` is the LWT. Plain text."""

    ONLINE: ClassVar[bytes] = b"online"
    OFFLINE: ClassVar[bytes] = b"offline"

    @classmethod
    def parse(cls, data: bytes) -> bool:
        """True for online, False for offline."""
        if data == cls.ONLINE:
            return True
        if data == cls.OFFLINE:
            return False
        raise PayloadError("status", f"{data[:20]!r} is neither online nor offline")


class HubStatus(_Availability):
    TOPIC: ClassVar[Topic] = Topic("hub/status")


class NodeStatus(_Availability):
    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/status")


@dataclass(frozen=True)
class Heartbeat(Topical):
    """Unretained node telemetry, every ``interval_s`` seconds.

    ``uptime_s`` seconds since the agent started; ``queue_depth`` announcements
    waiting; ``volume`` 0..100; ``free_disk_mb`` on the data partition;
    ``audio_error`` the last audio device error, None while it plays fine;
    ``link_down_s`` how long the broker was last unreachable; ``voices`` who
    speaks each language (``{"zh": "espeak-ng:cmn-latn-pinyin"}``), optional.
    """

    uptime_s: float
    queue_depth: int
    volume: int
    version: str
    interval_s: int
    free_disk_mb: int
    last_played: str | None = None
    last_played_at: datetime | None = None
    audio_error: str | None = None
    link_down_s: float | None = None
    at: datetime = field(default_factory=_now)
    voices: dict[str, str] | None = None

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/heartbeat")
    KIND: ClassVar[str] = "heartbeat"

    def to_json(self) -> bytes:
        return encode(
            {
                "uptime_s": round(self.uptime_s, 3),
                "queue_depth": self.queue_depth,
                "volume": self.volume,
                "version": self.version,
                "interval_s": self.interval_s,
                "free_disk_mb": self.free_disk_mb,
                "last_played": self.last_played,
                "last_played_at": format_time(self.last_played_at) if self.last_played_at else None,
                "audio_error": self.audio_error,
                "link_down_s": self.link_down_s,
                "at": format_time(self.at),
                **({"voices": self.voices} if self.voices is not None else {}),
            }
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        return cls(
            uptime_s=r.float("uptime_s"),
            queue_depth=r.int("queue_depth"),
            volume=r.int("volume", high=100),
            version=r.str("version", max_len=64),
            interval_s=r.int("interval_s", low=1, high=86400),
            free_disk_mb=r.int("free_disk_mb"),
            last_played=r.str("last_played", optional=True, max_len=128, pattern=ID_RE),
            last_played_at=r.time("last_played_at", optional=True),
            audio_error=r.str("audio_error", optional=True, max_len=500),
            link_down_s=r.float("link_down_s", optional=True),
            at=r.time("at"),
            voices=_voice_map(r, "voices"),
        )


def _voice_map(r: Reader, name: str) -> dict[str, str] | None:
    """An optional map of language code → voice description (at most 20, each printable, ≤ 100 chars)."""
    value = r.obj.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 20 or not all(
        isinstance(k, str) and LANG_RE.match(k) and isinstance(v, str) and 0 < len(v) <= 100 and v.isprintable()
        for k, v in value.items()
    ):
        raise r.error(name, "must map up to 20 language codes to voice names of 1..100 printable characters")
    return dict(value)


@dataclass(frozen=True)
class Receipt(Topical):
    """What a node did with announcement ``id``: played, failed or expired."""

    id: str
    status: ReceiptStatus
    at: datetime = field(default_factory=_now)
    detail: str | None = None

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/receipt")
    KIND: ClassVar[str] = "receipt"

    def to_json(self) -> bytes:
        return encode({"id": self.id, "status": self.status, "at": format_time(self.at), "detail": self.detail})

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        return cls(
            id=r.str("id", max_len=128, pattern=ID_RE),
            status=r.str("status", choices=RECEIPT_STATUSES),
            at=r.time("at"),
            detail=r.str("detail", optional=True, max_len=500),
        )


@dataclass(frozen=True)
class QuietHours:
    """A daily window (``start``..``end``, HH:MM, may cross midnight) on ``days`` (0 = Monday) in ``tz``."""

    start: str
    end: str
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    tz: str = "UTC"

    _HHMM: ClassVar[re.Pattern[str]] = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "days": list(self.days), "tz": self.tz}

    @classmethod
    def read(cls, r: Reader) -> QuietHours:
        days = r.list("days", max_items=7)
        if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days):
            raise r.error("days", "must be weekday numbers 0 (Monday) .. 6")
        return cls(
            start=r.str("start", max_len=5, pattern=cls._HHMM),
            end=r.str("end", max_len=5, pattern=cls._HHMM),
            days=tuple(days),
            tz=r.str("tz", max_len=64),
        )


@dataclass(frozen=True)
class DepartmentName:
    """What a department is called, for a speaker to say instead of its slug.

    ``name`` is the hub's name for it (in a Chinese shop the Chinese one,
    ``订单部``); ``name_en`` the English one, None while the hub has none.
    Both 1..200 characters.
    """

    name: str
    name_en: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, **({"name_en": self.name_en} if self.name_en else {})}

    @classmethod
    def read(cls, r: Reader) -> DepartmentName:
        return cls(name=r.str("name", max_len=MAX_DEPARTMENT_NAME),
                   name_en=r.str("name_en", optional=True, max_len=MAX_DEPARTMENT_NAME))


@dataclass(frozen=True)
class NodeConfig(Topical):
    """Retained per-node settings from the hub.

    ``routes``: which announce topics the node follows (``announce/all`` always);
    ``volume`` 0..100; ``voices`` maps a language to a voice name;
    ``language`` the language of the node's own prompts (link lost, identify, greeting),
    the hub's ``[hub].language``; None (absent): the node's file decides.
    ``department_names`` maps the slugs of the routes' departments to what they
    are called, so a speaker can say them; None (absent, from an older hub) or
    a slug missing from it: the speaker says the slug.
    """

    routes: tuple[Route, ...] = ()
    volume: int = 80
    quiet_hours: tuple[QuietHours, ...] = ()
    voices: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    department_names: dict[str, DepartmentName] | None = None

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/config")
    KIND: ClassVar[str] = "node config"

    def to_json(self) -> bytes:
        return encode(
            {
                "routes": [route.to_dict() for route in self.routes],
                "volume": self.volume,
                "quiet_hours": [q.to_dict() for q in self.quiet_hours],
                "voices": self.voices,
                **({"language": self.language} if self.language else {}),
                **({"department_names": {slug: name.to_dict() for slug, name in self.department_names.items()}}
                   if self.department_names is not None else {}),
            }
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        routes = []
        for i, item in enumerate(r.list("routes", max_items=MAX_ROUTES)):
            if not isinstance(item, dict):
                raise r.error(f"routes[{i}]", "must be an object")
            routes.append(Route.read(Reader(item, f"{cls.KIND}.routes[{i}]")))
        quiet = []
        for i, item in enumerate(r.list("quiet_hours", max_items=MAX_QUIET_HOURS)):
            if not isinstance(item, dict):
                raise r.error(f"quiet_hours[{i}]", "must be an object")
            quiet.append(QuietHours.read(Reader(item, f"{cls.KIND}.quiet_hours[{i}]")))
        voices = r.obj.get("voices", {})
        if not isinstance(voices, dict) or not all(
            isinstance(k, str) and LANG_RE.match(k) and isinstance(v, str) and 0 < len(v) <= 100 and v.isprintable()
            for k, v in voices.items()
        ):
            raise r.error("voices", "must map language codes to voice names")
        return cls(
            routes=tuple(routes), volume=r.int("volume", high=100), quiet_hours=tuple(quiet), voices=voices,
            language=r.str("language", optional=True, max_len=16, pattern=LANG_RE),
            department_names=_department_names(r),
        )


def _department_names(r: Reader) -> dict[str, DepartmentName] | None:
    """The optional ``department_names``: up to MAX_ROUTES slugs, each to a name object."""
    names = r.object("department_names", optional=True)
    if names is None:
        return None
    if len(names.obj) > MAX_ROUTES:
        raise r.error("department_names", f"has {len(names.obj)} entries (at most {MAX_ROUTES})")
    read = {}
    for slug, item in names.obj.items():
        if not SLUG_RE.match(slug):
            raise r.error("department_names", f"{slug!r} is not a department slug")
        read[slug] = DepartmentName.read(names.object(slug))
    return read


@dataclass(frozen=True)
class Command(Topical):
    """A command to one node; never retained. ``id`` comes back in the :class:`Reply`.

    ``args``: ``say`` {text, lang}; ``volume`` {level 0..100}; ``replay``
    {count 1..20}; ``identify`` and ``reload`` none.
    """

    id: str
    cmd: str
    args: dict[str, Any] = field(default_factory=dict)

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/cmd")
    KIND: ClassVar[str] = "command"

    def to_json(self) -> bytes:
        return encode({"id": self.id, "cmd": self.cmd, "args": self.args})

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        cmd = r.str("cmd", choices=COMMANDS)
        a = r.object("args", optional=True) or Reader({}, f"{cls.KIND}.args")
        args: dict[str, Any] = {}
        if cmd == "say":
            args = {"text": a.str("text", max_len=MAX_TEXT), "lang": a.str("lang", max_len=16, pattern=LANG_RE)}
        elif cmd == "volume":
            args = {"level": a.int("level", high=100)}
        elif cmd == "replay":
            args = {"count": a.int("count", low=1, high=20)}
        return cls(id=r.str("id", max_len=128, pattern=ID_RE), cmd=cmd, args=args)


@dataclass(frozen=True)
class Reply(Topical):
    """A node's answer to :class:`Command` ``id``."""

    id: str
    ok: bool
    detail: str | None = None

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/reply")
    KIND: ClassVar[str] = "reply"

    def to_json(self) -> bytes:
        return encode({"id": self.id, "ok": self.ok, "detail": self.detail})

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        return cls(
            id=r.str("id", max_len=128, pattern=ID_RE),
            ok=r.bool("ok"),
            detail=r.str("detail", optional=True, max_len=500),
        )


# -- end-to-end acknowledgement (docs/mqtt.md, "Acknowledgement") -------------------------

_REDELIVERY = Topic("node/{node_id}/announce")
MAX_STORED = 500  # receipts one confirmation names


@dataclass(frozen=True)
class Redelivery(Topical):
    """An announcement a speaker missed, sent again to that speaker alone, under its same id.

    The payload is the :class:`Announcement`'s own JSON (its ``route`` says
    where it first went); only the topic differs, so nobody else hears it again.
    """

    announcement: Announcement

    TOPIC: ClassVar[Topic] = _REDELIVERY

    def to_json(self) -> bytes:
        return self.announcement.to_json()

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        return cls(Announcement.from_json(data))


@dataclass(frozen=True)
class ReceiptKey:
    """Names one receipt: announcement ``id`` and the ``status`` reported for it."""

    id: str
    status: ReceiptStatus

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status}


@dataclass(frozen=True)
class ReceiptsStored(Topical):
    """The hub's confirmation, to one speaker, that it is done with these receipts of its.

    Done means stored, or refused for good (an announcement never sent to
    that speaker): either way the speaker may forget them. Until it gets this
    a speaker keeps each receipt and sends it again. At most
    :data:`MAX_STORED` a message.
    """

    receipts: tuple[ReceiptKey, ...]

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/stored")
    KIND: ClassVar[str] = "receipts stored"

    def to_json(self) -> bytes:
        return encode({"receipts": [key.to_dict() for key in self.receipts]})

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        keys = []
        for i, item in enumerate(r.list("receipts", max_items=MAX_STORED)):
            if not isinstance(item, dict):
                raise r.error(f"receipts[{i}]", "must be an object")
            k = Reader(item, f"{cls.KIND}.receipts[{i}]")
            keys.append(ReceiptKey(id=k.str("id", max_len=128, pattern=ID_RE),
                                   status=k.str("status", choices=RECEIPT_STATUSES)))
        return cls(receipts=tuple(keys))


@dataclass(frozen=True)
class MissedRequest(Topical):
    """A speaker asking the hub for what it has missed (sent on every connect).

    The hub answers with a :class:`Redelivery` of every announcement that
    speaker should say, has not answered and that has not expired.
    """

    at: datetime = field(default_factory=_now)

    TOPIC: ClassVar[Topic] = Topic("node/{node_id}/missed")
    KIND: ClassVar[str] = "missed request"

    def to_json(self) -> bytes:
        return encode({"at": format_time(self.at)})

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        r = Reader(decode(data, cls.KIND), cls.KIND)
        return cls(at=r.time("at"))
