"""The broker's password and ACL files, generated from the fleet registry.

:func:`build` reads the registry; :func:`write` replaces the files atomically
(a temporary file renamed over the old one, so Mosquitto never reads half a
file); :func:`reload_broker` sends the SIGHUP that makes Mosquitto re-read them.
Only enabled speakers with a credential get an account.
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hub.org.models import SpeakerNode
from mqtt import Route
from mqtt.acl import Grant, homeassistant_grants, hub_grants, node_grants, render_acl, tools_grants
from mqtt.passwd import hash_password, render_passwd

from .accounts import ServiceAccount, hub_logins
from .models import NodeCredential

log = logging.getLogger(__name__)

PASSWD_NAME = "passwd"
ACL_NAME = "acl"
# Mosquitto (often its own user, in the hub's group) must read them; nobody else may.
FILE_MODE = 0o640


@dataclass(frozen=True)
class AccessFiles:
    passwd: str
    acl: str


def speaker_routes(node: SpeakerNode) -> list[Route]:
    """The announce routes a speaker follows: its department, and each of its staff (in the staff's department)."""
    department = node.department
    routes = [Route(department.subsystem.slug, department.slug)]
    for staff in node.staff.select_related("department__subsystem").order_by("number"):
        routes.append(Route(staff.department.subsystem.slug, staff.department.slug, staff.number))
    return routes


def build(hub: ServiceAccount, tools: ServiceAccount, base: str, homeassistant: ServiceAccount | None = None) -> AccessFiles:
    """The files for every account: the hub's, the tools', Home Assistant's (when given) and each speaker's."""
    passwords = {tools.username: hash_password(tools.password)}
    grants: dict[str, list[Grant]] = {tools.username: tools_grants(base)}
    if homeassistant is not None:
        passwords[homeassistant.username] = hash_password(homeassistant.password)
        grants[homeassistant.username] = homeassistant_grants(base)
    for login in hub_logins(hub):  # one account per hub link: the broker makes each user name its client id
        passwords[login.username] = hash_password(login.password)
        grants[login.username] = hub_grants()
    credentials = NodeCredential.objects.filter(node__enabled=True).select_related("node__department__subsystem")
    for credential in credentials:
        node = credential.node
        passwords[node.node_id] = credential.password_hash
        grants[node.node_id] = node_grants(node.node_id, speaker_routes(node), base)
    return AccessFiles(passwd=render_passwd(passwords), acl=render_acl(grants))


def write(directory: Path, files: AccessFiles) -> tuple[Path, Path]:
    """Replace ``passwd`` and ``acl`` in ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    passwd, acl = directory / PASSWD_NAME, directory / ACL_NAME
    write_atomically(passwd, files.passwd, FILE_MODE)
    write_atomically(acl, files.acl, FILE_MODE)
    return passwd, acl


def write_atomically(path: Path, text: str, mode: int) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class ReloadError(RuntimeError):
    pass


def broker_pid(spec: str) -> int | None:
    """``spec`` is a pid, a pid file's path, or empty (no broker to signal)."""
    spec = spec.strip()
    if not spec:
        return None
    if spec.isdigit():
        return int(spec)
    try:
        text = Path(spec).read_text().strip()
    except OSError as exc:
        raise ReloadError(f"cannot read the broker pid file {spec}: {exc.strerror or exc}") from None
    if not text.isdigit():
        raise ReloadError(f"the broker pid file {spec} holds {text[:20]!r}, not a pid")
    return int(text)


def reload_broker(spec: str) -> int | None:
    """SIGHUP the broker named by ``spec`` (see :func:`broker_pid`); returns its pid, None when none was named."""
    pid = broker_pid(spec)
    if pid is None:
        return None
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError as exc:
        raise ReloadError(f"cannot signal the broker (pid {pid}): {exc.strerror or exc}") from None
    log.info("sent SIGHUP to the broker (pid %s): it re-reads its password and ACL files", pid)
    return pid
