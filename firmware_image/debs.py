"""The Debian packages the node needs that a base lacks, downloaded for the base's architecture.

apt runs with a private state directory whose dpkg status file is the
base's own, so it downloads exactly what is missing on that base (and
nothing it already has), for its architecture, from its Debian suite; no
root, nothing of this machine's apt state touched. The speaker installs
them offline at first boot (``firstboot.py``).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from .errors import ImageError
from .tools import run
from .wheelhouse import publish

DEBIAN_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")


def fetch(packages: list[str], *, status: str, arch: str, suite: str, mirror: str, cache: Path) -> list[Path]:
    """The .deb files (sorted) that install ``packages`` on a system whose dpkg status is ``status``."""
    if not packages:
        return []
    debian_arch = DEBIAN_ARCH.get(arch)
    if debian_arch is None:
        raise ImageError(f"no Debian architecture for {arch}")
    key = hashlib.sha256("\n".join([debian_arch, suite, mirror, *sorted(packages), status]).encode()).hexdigest()[:16]
    done = cache / f"debs-{debian_arch}-{suite}-{key}"
    if done.is_dir():
        return sorted(done.glob("*.deb"))
    cache.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=f"apt-{debian_arch}-{suite}-", dir=cache))  # one per build: no shared state
    for sub in ("etc/apt/sources.list.d", "etc/apt/preferences.d", "etc/apt/apt.conf.d", "var/lib/apt/lists/partial",
                "var/cache/apt/archives/partial", "var/lib/dpkg"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/status").write_text(status)
    keyring = f" signed-by={KEYRING}" if KEYRING.is_file() else ""
    (root / "etc/apt/sources.list").write_text(f"deb [arch={debian_arch}{keyring}] {mirror} {suite} main\n")
    archives = root / "var/cache/apt/archives"
    options = ["-o", f"Dir={root}", "-o", f"Dir::State::status={root}/var/lib/dpkg/status",
               "-o", f"APT::Architecture={debian_arch}", "-o", f"APT::Architectures={debian_arch}",
               "-o", "Debug::NoLocking=1", "-o", "APT::Install-Recommends=0", "-o", "APT::Sandbox::User=root",
               "-o", f"Dir::Etc::TrustedParts={root}/etc/apt/trusted.gpg.d", "-qq"]
    run(["apt-get", *options, "update"])
    run(["apt-get", *options, "install", "--download-only", "--yes", *packages])
    try:
        for deb in sorted(archives.glob("*.deb")):
            shutil.move(deb, root / deb.name)
        shutil.rmtree(root / "var")
        shutil.rmtree(root / "etc")
        publish(root, done)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return sorted(done.glob("*.deb"))
