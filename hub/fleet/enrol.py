"""Enrolment: a speaker's registration, its broker credentials and its TOML.

A password is generated here, hashed at once into :class:`NodeCredential`, and
returned exactly once, for the node's TOML (written mode 0600). Nothing else
keeps or logs it. Callers rewrite the broker's access files afterwards
(hub/fleet/access.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone

from hub.confio.toml_writer import pair
from hub.org.models import Department, SpeakerNode, Staff
from mqtt import BrokerSettings, BrokerURLError, Route
from mqtt.fields import SLUG_RE
from mqtt.passwd import hash_password

from .access import speaker_routes, write_atomically
from .models import NodeCredential

PASSWORD_BYTES = 24
NODE_FILE_MODE = 0o600


class EnrolError(ValueError):
    pass


@transaction.atomic
def enroll(
    node_id: str, department: str, *, staff: Sequence[str] = (), reserved: Iterable[str] = ()
) -> tuple[SpeakerNode, str]:
    """Register (or re-home) speaker ``node_id`` in ``department`` and issue its password.

    Refuses a node that already has a credential (rotate it instead) and a
    name reserved for a service account.
    """
    if not SLUG_RE.match(node_id):
        raise EnrolError(f"{node_id!r} is not a node id: letters, digits, - and _ only")
    if node_id in set(reserved):
        raise EnrolError(f"{node_id!r} is the name of a service account on the broker")
    dept = Department.objects.filter(slug=department).first()
    if dept is None:
        raise EnrolError(f"there is no department {department!r}")
    people = list(Staff.objects.filter(number__in=staff))
    missing = sorted(set(staff) - {p.number for p in people})
    if missing:
        raise EnrolError(f"there is no staff member {', '.join(missing)}")
    node, _ = SpeakerNode.objects.get_or_create(node_id=node_id, defaults={"department": dept})
    if NodeCredential.objects.filter(node=node).exists():
        raise EnrolError(f"{node_id} is enrolled already: rotate its password, or revoke it first")
    node.department, node.enabled = dept, True
    node.save(update_fields=["department", "enabled"])
    if staff:
        node.staff.set(people)
    password = _new_password()
    NodeCredential.objects.create(node=node, password_hash=hash_password(password))
    return node, password


@transaction.atomic
def rotate(node_id: str) -> tuple[SpeakerNode, str]:
    """A new password for an enrolled speaker; the old one stops working at the next broker reload."""
    credential = _credential(node_id)
    password = _new_password()
    credential.password_hash = hash_password(password)
    credential.issued_at = timezone.now()
    credential.save(update_fields=["password_hash", "issued_at"])
    return credential.node, password


@transaction.atomic
def revoke(node_id: str) -> SpeakerNode:
    """Delete the speaker's credential and disable it; it stays registered (history, statistics)."""
    credential = _credential(node_id)
    node = credential.node
    credential.delete()
    node.enabled = False
    node.save(update_fields=["enabled"])
    return node


def _credential(node_id: str) -> NodeCredential:
    credential = NodeCredential.objects.select_related("node").filter(node__node_id=node_id).first()
    if credential is None:
        raise EnrolError(f"{node_id} is not enrolled")
    return credential


def _new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


# -- the node's TOML ---------------------------------------------------------------


@dataclass(frozen=True)
class NodeFile:
    """What an enrolled node's TOML holds (node/config.py reads it).

    ``broker_url``: where nodes reach the broker, without credentials;
    ``ca``: the CA certificate's path *on the node*, for ``mqtts://``.
    """

    broker_url: str
    base_topic: str
    ca: str | None = None
    data_dir: str | None = None

    def broker_for(self, node_id: str, password: str) -> str:
        """``broker_url`` with the node's credentials (percent-encoded) and the CA added."""
        try:
            settings = BrokerSettings.from_url(self.broker_url)
        except BrokerURLError as exc:
            raise EnrolError(f"node broker URL: {exc}") from None
        if settings.username is not None:
            raise EnrolError("the node broker URL must not hold credentials: enroll adds each node's own")
        parts = urlsplit(self.broker_url)
        query = parse_qsl(parts.query)
        if self.ca:
            if not settings.tls:
                raise EnrolError("a CA goes with an mqtts:// broker URL")
            query = [(k, v) for k, v in query if k != "ca"] + [("ca", self.ca)]
        netloc = f"{quote(node_id, safe='')}:{quote(password, safe='')}@{parts.netloc}"
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="/"), ""))

    def render(self, node: SpeakerNode, password: str) -> str:
        lines = [
            f"# {node.node_id}: written by `shopcrier-hub fleet` at {timezone.now():%Y-%m-%dT%H:%M:%SZ}.",
            "# It holds the speaker's broker password: keep it mode 0600, owned by the node's user.",
            pair("id", node.node_id),
            pair("broker", self.broker_for(node.node_id, password)),
            pair("base_topic", self.base_topic),
        ]
        if self.data_dir:
            lines.append(pair("data_dir", self.data_dir))
        for route in speaker_routes(node):
            lines += ["", "[[routes]]", *_route_lines(route)]
        return "\n".join(lines) + "\n"

    def write(self, path: Path, node: SpeakerNode, password: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, self.render(node, password), NODE_FILE_MODE)
        return path


def _route_lines(route: Route) -> list[str]:
    return [pair(name, value) for name, value in route.to_dict().items() if value is not None]
