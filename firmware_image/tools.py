"""Running the external tools (sfdisk, mtools, debugfs, mmdebstrap, pip) with one-line errors."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Mapping, Sequence

from .errors import ImageError

log = logging.getLogger(__name__)

# The Debian package that brings each tool: the error names it.
PACKAGES = {
    "sfdisk": "fdisk", "mcopy": "mtools", "mmd": "mtools", "mdir": "mtools", "mtype": "mtools",
    "mdel": "mtools", "mkfs.vfat": "dosfstools", "mke2fs": "e2fsprogs", "debugfs": "e2fsprogs",
    "e2fsck": "e2fsprogs", "resize2fs": "e2fsprogs", "mmdebstrap": "mmdebstrap", "xz": "xz-utils",
    "qemu-system-x86_64": "qemu-system-x86", "dd": "coreutils",
    "grub-mkimage": "grub-common",
}


def need(tool: str) -> str:
    """The tool's path; :class:`ImageError` naming its Debian package when it is missing."""
    path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if path is None:
        package = PACKAGES.get(tool, tool)
        raise ImageError(f"{tool} is not installed (apt-get install {package})")
    return path


def run(argv: Sequence[str], *, env: Mapping[str, str] | None = None, stdin: bytes | None = None,
        ok_codes: tuple[int, ...] = (0,)) -> str:
    """Run ``argv``; its stdout as text. A failure raises :class:`ImageError` with the tool's last error line."""
    command = [need(argv[0]), *argv[1:]]
    log.debug("running %s", " ".join(command))
    result = subprocess.run(command, input=stdin, capture_output=True, env=dict(env) if env is not None else None)
    if result.returncode not in ok_codes:
        lines = [line for line in result.stderr.decode(errors="replace").splitlines() if line.strip()]
        errors = [line.strip() for line in lines if line.startswith("E: ")]  # mmdebstrap, apt
        reason = (errors[0] if errors else lines[-1].strip()) if lines else f"exit status {result.returncode}"
        raise ImageError(f"{argv[0]} failed: {reason}")
    return result.stdout.decode(errors="replace")
