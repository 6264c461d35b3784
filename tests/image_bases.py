"""A synthetic Raspberry Pi OS-shaped base: FAT boot (config.txt, cmdline.txt, kernel8.img) + ext4 root.

The root holds what the build reads of a real Raspberry Pi OS Lite arm64: an
aarch64 ``python3.11`` (its ELF header), os-release naming bookworm, dpkg's
status (this machine's, relabelled arm64, without the packages the node
needs, so the build must fetch them), and NetworkManager's directory.
"""

from __future__ import annotations

import lzma
import os
import subprocess
from pathlib import Path

from firmware_image import disk, fat

NODE_DEBS = {"espeak-ng", "libportaudio2", "alsa-utils", "libespeak-ng1", "espeak-ng-data", "libpcaudio0", "libsonic0"}
CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=5c12c1e2-02 rootfstype=ext4 fsck.repair=yes rootwait"
CONFIG = "# Raspberry Pi OS\ndtparam=audio=on\ncamera_auto_detect=1\narm_64bit=1\n"
# A 64-bit little-endian ELF header for an aarch64 executable (e_machine 0xB7 at byte 18).
AARCH64_ELF = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\xb7\x00" + bytes(44)


def arm64_status() -> str:
    stanzas = Path("/var/lib/dpkg/status").read_text().split("\n\n")
    kept = [s for s in stanzas if not any(line in {f"Package: {p}" for p in NODE_DEBS} for line in s.splitlines())]
    return "\n\n".join(kept).replace("Architecture: amd64", "Architecture: arm64")


def raspios_like(work: Path, *, xz: bool = True) -> Path:
    """Write the base to ``work`` and return it (``.img.xz`` unless ``xz`` is False)."""
    tree = work / "raspios-root"
    for sub in ("usr/bin", "var/lib/dpkg", "etc/NetworkManager/system-connections", "boot/firmware"):
        (tree / sub).mkdir(parents=True, exist_ok=True)
    (tree / "usr/bin/python3.11").write_bytes(AARCH64_ELF)
    (tree / "usr/bin/python3").symlink_to("python3.11")
    (tree / "var/lib/dpkg/status").write_text(arm64_status())
    (tree / "etc/os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n')
    root = work / "raspios-root.ext4"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(tree), str(root), "64M"], check=True)
    boot = fat.make(work / "raspios-boot.vfat", 64, "bootfs")
    for name, text in (("config.txt", CONFIG), ("cmdline.txt", CMDLINE + "\n"), ("kernel8.img", "not a kernel")):
        (work / name).write_text(text)
        fat.put(boot, work / name, f"/{name}")
    image = work / "raspios-lite-arm64.img"
    disk.assemble(image, boot, root)
    for path in (root, boot):
        os.unlink(path)
    if not xz:
        return image
    packed = image.with_name(image.name + ".xz")
    with image.open("rb") as src, lzma.open(packed, "wb", preset=1) as dst:
        while chunk := src.read(8 << 20):
            dst.write(chunk)
    image.unlink()
    return packed
