"""What a base's root file system is: CPU, Python, glibc, installed Debian packages, OS name.

Read with debugfs from the ext4 file, so any base works whatever machine
builds: the CPU comes from the ELF header of its python3, the glibc version
and package list from dpkg's status file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import ext4
from .errors import ImageError
from .wheelhouse import Target

ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64", 0x28: "armv7l"}
_PYTHON = re.compile(r"^python3\.(\d+)$")


@dataclass(frozen=True)
class Inspection:
    """A base's root: ``arch`` (x86_64, aarch64), ``python`` (3, 11), ``glibc`` (2, 36), ``packages``, ``os``."""

    arch: str
    python: tuple[int, int]
    glibc: tuple[int, int]
    packages: frozenset[str]
    os: str
    codename: str = ""
    status: str = ""
    network_manager: bool = False  # /etc/NetworkManager exists: provisioned Wi-Fi goes there (firstboot.py)

    def wheel_target(self) -> Target:
        return Target(self.arch, self.python, self.glibc)

    def describe(self) -> str:
        return f"{self.os}, {self.arch}, Python {self.python[0]}.{self.python[1]}, glibc {self.glibc[0]}.{self.glibc[1]}"


def inspect(root: Path) -> Inspection:
    """Inspect the ext4 file ``root``; :class:`ImageError` when it has no Python 3.11+ or no dpkg status."""
    versions = sorted(int(m.group(1)) for name in ext4.listing(root, "/usr/bin") if (m := _PYTHON.match(name)))
    if not versions:
        raise ImageError(f"{root}: the base has no python3 in /usr/bin")
    python = (3, versions[-1])
    if python < (3, 11):
        raise ImageError(f"{root}: the base's Python is {python[0]}.{python[1]}; the node needs 3.11 or later "
                         "(Raspberry Pi OS Bookworm or later)")
    header = ext4.read(root, f"/usr/bin/python3.{python[1]}")[:20]
    if header[:4] != b"\x7fELF":
        raise ImageError(f"{root}: /usr/bin/python3.{python[1]} is not an ELF program")
    machine = int.from_bytes(header[18:20], "little")
    if machine not in ELF_MACHINES:
        raise ImageError(f"{root}: unknown CPU (ELF machine {machine:#x})")
    status = ext4.read(root, "/var/lib/dpkg/status").decode("utf-8", "replace")
    packages, glibc = _dpkg(status)
    name, codename = _os_release(root)
    return Inspection(ELF_MACHINES[machine], python, glibc, packages, name, codename, status,
                      network_manager=ext4.exists(root, "/etc/NetworkManager"))


def _dpkg(status: str) -> tuple[frozenset[str], tuple[int, int]]:
    installed, glibc = set(), (2, 17)
    for stanza in status.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
        if "Package" not in fields or not fields.get("Status", "").endswith(" installed"):
            continue
        name = fields["Package"]
        installed.add(name)
        if name == "libc6" and (match := re.match(r"(\d+)\.(\d+)", fields.get("Version", ""))):
            glibc = (int(match.group(1)), int(match.group(2)))
    return frozenset(installed), glibc


def _os_release(root: Path) -> tuple[str, str]:
    """PRETTY_NAME and VERSION_CODENAME (the Debian suite) of the base."""
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            text = ext4.read(root, path).decode("utf-8", "replace")
        except ImageError:
            continue
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        return fields.get("PRETTY_NAME", "unknown OS").strip('"'), fields.get("VERSION_CODENAME", "").strip('"')
    return "unknown OS", ""
