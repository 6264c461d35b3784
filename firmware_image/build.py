"""``shopcrier-image build``: a base disk image in, a golden speaker image out.

The base's two partitions are cut out, the root grown and the payload
written into it with debugfs, the FAT partition given the image's notes, and
the disk put back together, with the base's MBR boot code and the gap before
partition 1 (its GRUB) as they were. The base itself is never modified.
"""

from __future__ import annotations

import logging
import lzma
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import debs, disk, ext4, fat, payload, wheelhouse
from .debian_base import DEFAULT_MIRROR
from .errors import ImageError
from .target import Inspection, inspect

log = logging.getLogger(__name__)

DEFAULT_EPOCH = 1764547200  # 2025-12-01 00:00 UTC, unless SOURCE_DATE_EPOCH says otherwise
NODE_DEBS = ("espeak-ng", "libportaudio2", "alsa-utils")
# Wi-Fi on a base without NetworkManager: the first boot enables wpa_supplicant on wlan0 (firstboot.py).
WIFI_DEBS = ("wpasupplicant",)
HEADROOM_MB = 96  # free space left on the root for the store, the sound cache and logs
BOOT_NOTE = """This is a ShopCrier speaker image.

Put this speaker's files here with `shopcrier-image provision` (or
`shopcrier-hub fleet enroll ... --image`): shopcrier/node.toml and
shopcrier/device.toml. At boot the speaker moves them to /etc/shopcrier
(readable by the speaker only) and deletes them from this partition.
"""


@dataclass
class BuildReport:
    """What went into the image and how big each part is (bytes)."""

    target: Inspection
    parts: list[tuple[str, int]] = field(default_factory=list)
    installed_at: str = "build"
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"base: {self.target.describe()}", f"node installed at {self.installed_at} time"]
        out += [f"  {name:<40} {size / 1e6:10.1f} MB" for name, size in self.parts]
        out.append(f"built in {self.seconds:.1f} s")
        return out


def build(base: Path, out: Path, *, voices: list[str], cache: Path, epoch: int = DEFAULT_EPOCH,
          node_wheel: Path | None = None, mirror: str = DEFAULT_MIRROR) -> BuildReport:
    """Write the golden image ``out`` from ``base`` (.img or .img.xz); see the module docstring."""
    started = time.monotonic()
    voice_wheels = wheelhouse.voice_files(voices)  # a mistyped voice is named before any work
    with tempfile.TemporaryDirectory(prefix="shopcrier-build-") as tmp:
        work = Path(tmp)
        source = _decompressed(base, work)
        boot_part, root_part = disk.boot_and_root(source)
        boot = disk.extract(source, boot_part, work / "boot.vfat")
        root = disk.extract(source, root_part, work / "root.ext4")
        code = disk.boot_code(source)  # the amd64 base's GRUB, kept as it is
        if source != base:
            source.unlink()
        target = inspect(root)
        report = BuildReport(target)
        missing = [name for name in needed_debs(target) if name not in target.packages]
        node_wheel = node_wheel or wheelhouse.build_shopcrier_wheel(work / "dist", epoch)
        house = wheelhouse.fetch(target.wheel_target(), node_wheel, voices, cache)
        stage = work / "stage"
        payload.stage_system(stage)
        if missing:
            if not target.codename:
                raise ImageError(f"{base}: the base lacks {', '.join(missing)} and names no Debian suite "
                                 "(VERSION_CODENAME in /etc/os-release) to fetch them from")
            debs_dir = stage / "opt/shopcrier/debs"
            debs_dir.mkdir(parents=True)
            for deb in debs.fetch(missing, status=target.status, arch=target.arch, suite=target.codename,
                                  mirror=mirror, cache=cache):
                shutil.copyfile(deb, debs_dir / deb.name)
            report.parts.append((f"Debian packages for {', '.join(missing)} (/opt/shopcrier/debs)",
                                 payload.size(debs_dir)))
        reqs = wheelhouse.requirements(voices)
        report.parts += [(f"voice {wheel.name}", wheel.stat().st_size) for wheel in voice_wheels]
        if target.wheel_target().matches_host():
            wheelhouse.install(house, node_wheel, reqs, stage / "opt/shopcrier/site", epoch, voice_wheels)
            report.parts.append(("node + dependencies (/opt/shopcrier/site)", payload.size(stage / "opt/shopcrier/site")))
        else:
            wheels = stage / "opt/shopcrier/wheels"
            wheels.mkdir(parents=True)
            for wheel in sorted([*house.glob("*.whl"), node_wheel, *voice_wheels]):
                shutil.copyfile(wheel, wheels / wheel.name)
            (wheels / "requirements.txt").write_text("\n".join(reqs) + "\n")
            report.installed_at = "first boot"
            report.parts.append(("wheelhouse (/opt/shopcrier/wheels)", payload.size(wheels)))
            report.parts += [(f"  {wheel.name}", wheel.stat().st_size) for wheel in sorted(wheels.glob("*.whl"))]
        payload.normalise(stage, epoch)
        report.parts.append(("units, first-boot script, launcher", payload.size(stage) - sum(
            payload.size(stage / "opt/shopcrier" / name) for name in ("site", "wheels", "debs")
            if (stage / "opt/shopcrier" / name).exists())))
        ext4.grow(root, _mb(root) + payload.size(stage) // (1 << 20) * 13 // 10 + HEADROOM_MB, epoch)
        ext4.add_tree(root, list(ext4.staged(stage)), epoch)
        note = work / "README.txt"
        note.write_text(BOOT_NOTE)
        info = work / "image.toml"
        info.write_text(f'# written by shopcrier-image build\nbase = "{target.describe()}"\n'
                        f'python = "{target.python[0]}.{target.python[1]}"\narch = "{target.arch}"\n'
                        f'node_installed_at = "{report.installed_at}"\nsource_date_epoch = {epoch}\n')
        for path in (note, info):
            path.touch()
            os.utime(path, (epoch, epoch))
            fat.put(boot, path, f"/shopcrier/{path.name}", epoch=epoch)
        report.parts.append(("boot partition (FAT)", boot.stat().st_size))
        report.parts.append(("root partition (ext4)", root.stat().st_size))
        out.parent.mkdir(parents=True, exist_ok=True)
        disk.assemble(out, boot, root, code=code)
        report.parts.append(("disk image", out.stat().st_size))
    report.seconds = time.monotonic() - started
    return report


def needed_debs(target: Inspection) -> list[str]:
    """The node's Debian packages, and wpa_supplicant where no NetworkManager will run the Wi-Fi."""
    return [*NODE_DEBS, *(WIFI_DEBS if not target.network_manager else ())]


def _decompressed(base: Path, work: Path) -> Path:
    if not base.is_file():
        raise ImageError(f"{base}: no such base image")
    if base.suffix != ".xz":
        return base
    plain = work / base.with_suffix("").name
    try:
        with lzma.open(base) as src, plain.open("wb") as dst:
            shutil.copyfileobj(src, dst, 8 << 20)
    except lzma.LZMAError as exc:
        raise ImageError(f"{base}: not a valid .xz file ({exc})") from None
    return plain


def _mb(path: Path) -> int:
    return path.stat().st_size >> 20
