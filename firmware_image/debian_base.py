"""``shopcrier-image base``: a Raspberry Pi OS-shaped base image built from Debian packages.

For amd64 test machines and mini-PCs (and the VM test): ``mmdebstrap
--mode=unshare`` installs the packages rootless; a customize hook, still inside
its user namespace (so files belong to root), writes the little a bootable
system needs and packs the tree with ``mke2fs -d``. The kernel and initrd go
on the FAT partition with ``cmdline.txt``, as a Raspberry Pi's firmware reads
them, and GRUB boots them from there on a BIOS (legacy) PC: its boot.img in
the MBR, its core.img in the gap before partition 1, ``/grub/grub.cfg`` on the
FAT partition (see ``bootloader.py``); on a UEFI PC the same GRUB as
``/EFI/BOOT/BOOTX64.EFI`` reads the same file. The disk boots as it is flashed.

A built base is cached (``~/.cache/shopcrier-image``) under a key made of
everything that goes into it: suite, architecture, mirror, package list and
this hook, so an unchanged base is built once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import bootloader, disk, fat
from .errors import ImageError
from .tools import run

log = logging.getLogger(__name__)

DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SUITE = "bookworm"
# What a speaker needs besides the node's wheels: a kernel, systemd, Python,
# espeak-ng for Chinese, PortAudio's ALSA backend, and alsactl for the mixer.
# wpasupplicant: Wi-Fi on mini-PCs, enabled on wlan0 at first boot when Wi-Fi is provisioned.
PACKAGES = ("systemd-sysv", "udev", "kmod", "linux-image-amd64", "initramfs-tools", "python3",
            "espeak-ng", "libportaudio2", "alsa-utils", "ca-certificates", "wpasupplicant")
# Documentation and translations a speaker never reads.
DPKG_EXCLUDES = ("/usr/share/man/*", "/usr/share/doc/*", "/usr/share/info/*", "/usr/share/locale/*")
# Kernel module trees no VM or small mini-PC speaker loads (about 250 MB).
MODULE_TRIM = ("drivers/gpu", "drivers/media", "drivers/net/wireless", "drivers/infiniband",
               "drivers/staging", "drivers/isdn", "drivers/bluetooth", "net/bluetooth", "sound/soc")
ROOT_UUID = "5c12c1e2-0000-4000-8000-0000000000a1"
FAT_VOLUME_ID = "5C12C1E2"  # GRUB finds the boot partition by it (5C12-C1E2)
HASH_SEED = "5c12c1e2-0000-4000-8000-0000000000a2"
# net.ifnames=0: the kernel's names (eth0, wlan0), as on Raspberry Pi OS, so provisioned Wi-Fi is wlan0 on any board.
CMDLINE = (f"root=PARTUUID={disk.DISK_ID[2:]}-02 rootfstype=ext4 rw console=ttyS0 quiet loglevel=3 panic=10 "
           "net.ifnames=0")

HOOK = r"""
set -eu
root="$1"; out="$2"; epoch="$3"
echo 'PARTUUID={partuuid}-02 / ext4 defaults,noatime,commit=30 0 1' > "$root/etc/fstab"
echo 'PARTUUID={partuuid}-01 /boot/firmware vfat defaults,noatime,fmask=0077,dmask=0077 0 2' >> "$root/etc/fstab"
mkdir -p "$root/boot/firmware"
echo shopcrier > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 shopcrier\n' > "$root/etc/hosts"
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' > "$root/etc/systemd/network/20-wired.network"
ln -sf /lib/systemd/system/systemd-networkd.service "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
# wpa_supplicant's D-Bus service needs a D-Bus the base does not have; Wi-Fi uses wpa_supplicant@wlan0.
rm -f "$root/etc/systemd/system/multi-user.target.wants/wpa_supplicant.service" "$root/etc/systemd/system/dbus-fi.w1.wpa_supplicant1.service"
: > "$root/etc/machine-id"
for dir in {trim}; do rm -rf "$root"/usr/lib/modules/*/kernel/$dir; done
for version in $(ls "$root/usr/lib/modules"); do chroot "$root" depmod "$version"; done
cp "$root"/boot/vmlinuz-* "$out/vmlinuz"; cp "$root"/boot/initrd.img-* "$out/initrd.img"
rm -f "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* "$root"/boot/System.map-* "$root"/boot/config-*
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*
# /proc, /sys and /dev are mounted while hooks run: copy the tree without them.
tree="$out/tree"; mkdir "$tree"; cp -a --one-file-system "$root/." "$tree/"
find "$tree" -exec touch --no-dereference --date="@$epoch" {{}} +
used=$(du -sm "$tree" | cut -f1)
E2FSPROGS_FAKE_TIME="$epoch" mke2fs -q -t ext4 -d "$tree" -L rootfs -U {uuid} -E hash_seed={seed} \
  -N $((used * 40 + 20000)) "$out/root.ext4" $((used + used / 4 + 64))M
rm -rf "$tree"
chmod 0644 "$out"/*
"""


@dataclass(frozen=True)
class BaseSpec:
    """What a Debian base is made of; :meth:`key` names it in the cache."""

    suite: str = DEFAULT_SUITE
    arch: str = "amd64"
    mirror: str = DEFAULT_MIRROR
    packages: tuple[str, ...] = PACKAGES
    epoch: int = 1764547200  # 2025-12-01 00:00 UTC: every timestamp in the base

    def hook(self) -> str:
        return HOOK.format(partuuid=disk.DISK_ID[2:], trim=" ".join(MODULE_TRIM), uuid=ROOT_UUID, seed=HASH_SEED)

    def key(self) -> str:
        text = "\n".join([self.suite, self.arch, self.mirror, *sorted(self.packages), *DPKG_EXCLUDES,
                          CMDLINE, str(self.epoch), self.hook(), *bootloader.MODULES, *bootloader.EFI_MODULES,
                          bootloader.early_config(FAT_VOLUME_ID), bootloader.grub_cfg(CMDLINE)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_dir() -> Path:
    """``$SHOPCRIER_IMAGE_CACHE``, else ``$XDG_CACHE_HOME/shopcrier-image``, else ~/.cache/shopcrier-image."""
    explicit = os.environ.get("SHOPCRIER_IMAGE_CACHE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "shopcrier-image"


def cached_base(spec: BaseSpec, *, cache: Path | None = None) -> tuple[Path, bool]:
    """The base's file in the cache, built first if missing; (path, True if it was there already)."""
    cache = cache or cache_dir()
    return build_base(spec, cache / f"base-{spec.suite}-{spec.arch}-{spec.key()}.img", cache=cache)


def build_base(spec: BaseSpec, out: Path, *, cache: Path | None = None) -> tuple[Path, bool]:
    """Write the base disk image to ``out``; returns (out, True if it came from the cache)."""
    cache = cache or cache_dir()
    cached = cache / f"base-{spec.suite}-{spec.arch}-{spec.key()}.img"
    if not cached.exists():
        cache.mkdir(parents=True, exist_ok=True)
        _build(spec, cached)
        hit = False
    else:
        hit = True
        log.info("base %s from the cache", cached.name)
    if out.resolve() != cached.resolve():
        out.unlink(missing_ok=True)
        shutil.copyfile(cached, out)
    return out, hit


def _build(spec: BaseSpec, target: Path) -> None:
    if spec.arch != "amd64":
        raise ImageError(f"a Debian base can be built for amd64 only here, not {spec.arch} "
                         "(bring a Raspberry Pi OS Lite image as --base for arm64)")
    with tempfile.TemporaryDirectory(prefix="shopcrier-base-") as tmp:
        work = Path(tmp)
        core = bootloader.core_image(FAT_VOLUME_ID, work / "core.img")  # a missing GRUB is named before any work
        efi = bootloader.efi_image(FAT_VOLUME_ID, work / "BOOTX64.EFI")
        os.utime(efi, (spec.epoch, spec.epoch))
        parts = work / "parts"
        parts.mkdir(mode=0o777)
        os.chmod(parts, 0o777)  # the hook writes here as the namespace's root, a subordinate uid
        hook = work / "hook.sh"
        hook.write_text(spec.hook())
        hook.chmod(0o755)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(spec.epoch)}
        run(["mmdebstrap", "--mode=unshare", "--variant=minbase", f"--architectures={spec.arch}",
             f"--include={','.join(spec.packages)}",
             *[f"--dpkgopt=path-exclude={path}" for path in DPKG_EXCLUDES],
             f"--customize-hook=sh {hook} \"$1\" {parts} {spec.epoch}",
             "--format=null", spec.suite, "/dev/null", spec.mirror], env=env)
        boot = fat.make(work / "boot.vfat", 128, "BOOTFS", FAT_VOLUME_ID)
        (parts / "cmdline.txt").write_text(CMDLINE + "\n")
        (parts / "config.txt").write_text("# ShopCrier Debian base: the kernel and initrd qemu (or a boot loader) loads.\n"
                                          "kernel=vmlinuz\ninitramfs initrd.img followkernel\n")
        for name in ("vmlinuz", "initrd.img", "cmdline.txt", "config.txt"):
            os.utime(parts / name, (spec.epoch, spec.epoch))
            fat.put(boot, parts / name, f"/{name}")
        grub_cfg = work / "grub.cfg"
        grub_cfg.write_text(bootloader.grub_cfg(CMDLINE))
        os.utime(grub_cfg, (spec.epoch, spec.epoch))
        fat.put(boot, grub_cfg, f"{bootloader.CONFIG_DIR}/grub.cfg", epoch=spec.epoch)
        fat.put(boot, efi, bootloader.EFI_PATH, epoch=spec.epoch)
        partial = work / "base.img"
        disk.assemble(partial, boot, parts / "root.ext4")
        bootloader.install(partial, core)
        os.chmod(partial, 0o444)  # a cached base is never written to: boot copies of it, or with -snapshot
        shutil.move(partial, target.with_name(f".{target.name}.{os.getpid()}"))
        os.replace(target.with_name(f".{target.name}.{os.getpid()}"), target)  # whole or not at all
