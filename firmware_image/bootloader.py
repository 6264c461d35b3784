"""The amd64 Debian base's boot loader: GRUB for BIOS (legacy) PCs in the MBR and the gap before
partition 1, and GRUB for UEFI PCs at ``/EFI/BOOT/BOOTX64.EFI`` on the FAT partition.

Written as ``grub-bios-setup`` writes it, without a loop device or root:
``grub-mkimage -O i386-pc`` makes a ``core.img`` holding every module it
needs and a small embedded configuration (find the FAT boot partition by its
volume id, read ``/grub/grub.cfg`` there); GRUB's ``boot.img`` goes into the
first 440 bytes of the MBR (the disk identifier and partition table after it
are kept), patched with the sector ``core.img`` starts at; ``core.img`` goes
into sectors 1 … 2047, the gap before partition 1, which starts at sector
2048. ``core.img``'s first sector (GRUB's ``diskboot.img``) already names
sector 2 as where the rest of it starts, which is where it is written.

For UEFI, ``grub-mkimage -O x86_64-efi`` makes one EFI program with the
same modules (less the BIOS disk driver) and the same early configuration;
UEFI firmware runs ``/EFI/BOOT/BOOTX64.EFI`` from a disk with no boot entry of
its own (the removable-media path), so nothing is written to the firmware's
variables. Both read the same ``grub.cfg``.

``grub.cfg`` boots the kernel and initrd on the FAT partition with the same
command line ``cmdline.txt`` holds; a ``/grub/extra.cfg`` on that partition,
when present, may ``set extra="…"`` to add kernel arguments (a serial
console's journal, say) without touching ``grub.cfg``.

The same inputs give the same bytes: ``grub-mkimage`` writes no time, and
the modules come from the machine's ``grub-pc-bin`` and ``grub-efi-amd64-bin``.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import disk
from .errors import ImageError
from .tools import run

GRUB_DIR = Path("/usr/lib/grub/i386-pc")
# What core.img holds: BIOS disks, MBR partitions, FAT, finding it by volume id, the Linux loader,
# normal mode for grub.cfg (test, source), and a serial console for a mini-PC's (or qemu's) serial port.
MODULES = ("biosdisk", "part_msdos", "fat", "search_fs_uuid", "normal", "configfile", "test", "echo",
           "linux", "serial", "terminal")
EFI_DIR = Path("/usr/lib/grub/x86_64-efi")
EFI_MODULES = tuple(name for name in MODULES if name != "biosdisk") + ("efi_gop",)  # efi_gop: the screen
EFI_PATH = "/EFI/BOOT/BOOTX64.EFI"  # the removable-media path UEFI firmware boots without a boot entry
CONFIG_DIR = "/grub"
# Offsets in boot.img (GRUB's include/grub/i386/pc/boot.h), as grub-bios-setup patches them.
KERNEL_SECTOR = 0x5C  # 8 bytes, little-endian: the first sector of core.img
BOOT_DRIVE = 0x64  # 0xff: load core.img from the drive the BIOS booted
DRIVE_CHECK = 0x66  # 2 bytes: NOPs on a hard disk (works around BIOSes that pass a wrong drive number)
CODE_END = 440  # the boot code; the disk identifier and partition table follow
# diskboot.img's block list, at the end of core.img's first sector: start (8 bytes), length (2), segment (2).
BLOCKLIST = 0x200 - 12
CORE_SECTOR = 1


def fat_uuid(volume_id: str) -> str:
    """GRUB's name of a FAT volume id: ``5C12C1E2`` is ``5C12-C1E2``."""
    return f"{volume_id[:4]}-{volume_id[4:]}".upper()


def early_config(volume_id: str) -> str:
    """What core.img runs first: the FAT partition is the root, its /grub the prefix."""
    return (f"search.fs_uuid {fat_uuid(volume_id)} root\n"
            f"set prefix=($root){CONFIG_DIR}\n")


def grub_cfg(cmdline: str) -> str:
    """The configuration read from the FAT partition: boot its kernel and initrd with ``cmdline``."""
    return (
        "# ShopCrier speaker: boot the kernel and initrd on this partition (written by shopcrier-image base).\n"
        "# The command line is the one in /cmdline.txt. For extra kernel arguments put\n"
        "#   set extra=\"...\"\n"
        "# in /grub/extra.cfg on this partition.\n"
        "# A BIOS PC's first serial port (and qemu's) gets GRUB's messages too; UEFI firmware has its own console.\n"
        "if [ \"$grub_platform\" = pc ]; then\n"
        "  if serial --unit=0 --speed=115200; then terminal_input --append serial; terminal_output --append serial; fi\n"
        "fi\n"
        "set extra=\"\"\n"
        f"if [ -f {CONFIG_DIR}/extra.cfg ]; then source {CONFIG_DIR}/extra.cfg; fi\n"
        "echo \"ShopCrier: loading the kernel\"\n"
        f"linux /vmlinuz {cmdline} $extra\n"
        "initrd /initrd.img\n"
        "boot\n"
    )


def core_image(volume_id: str, out: Path) -> Path:
    """``grub-mkimage -O i386-pc``: core.img with the modules and the early configuration."""
    return _mkimage("i386-pc", "BIOS images", GRUB_DIR, "boot.img", "grub-pc-bin", MODULES, volume_id, out)


def efi_image(volume_id: str, out: Path) -> Path:
    """``grub-mkimage -O x86_64-efi``: GRUB as one EFI program, for ``/EFI/BOOT/BOOTX64.EFI``."""
    return _mkimage("x86_64-efi", "UEFI modules", EFI_DIR, "linux.mod", "grub-efi-amd64-bin", EFI_MODULES, volume_id, out)


def _mkimage(target: str, what: str, modules_dir: Path, marker: str, package: str, modules: Sequence[str],
             volume_id: str, out: Path) -> Path:
    """One GRUB image for ``target`` from ``modules_dir`` (``marker`` proves the package is there)."""
    if not (modules_dir / marker).is_file():
        raise ImageError(f"GRUB's {what} are not installed ({modules_dir}; apt-get install {package})")
    with tempfile.TemporaryDirectory(prefix="shopcrier-grub-") as tmp:
        config = Path(tmp) / "early.cfg"
        config.write_text(early_config(volume_id))
        run(["grub-mkimage", "-O", target, "-d", str(modules_dir), "-c", str(config), "-p", CONFIG_DIR,
             "-o", str(out), *modules])
    return out


def install(image: Path, core: Path) -> None:
    """Write GRUB's boot.img into ``image``'s MBR and ``core`` into the gap before partition 1."""
    parts = disk.partitions(image)
    if not parts:
        raise ImageError(f"{image}: has no partitions to boot")
    core_bytes = core.read_bytes()
    sectors = -(-len(core_bytes) // disk.SECTOR)
    first = min(p.start for p in parts)
    if CORE_SECTOR + sectors > first:
        raise ImageError(f"{image}: GRUB's core.img needs {sectors} sectors before the first partition, "
                         f"which starts at sector {first}")
    start, = struct.unpack_from("<Q", core_bytes, BLOCKLIST)
    if start != CORE_SECTOR + 1:
        raise ImageError(f"{core}: its block list starts at sector {start}, not {CORE_SECTOR + 1}")
    boot = bytearray((GRUB_DIR / "boot.img").read_bytes()[:CODE_END])
    struct.pack_into("<Q", boot, KERNEL_SECTOR, CORE_SECTOR)
    boot[BOOT_DRIVE] = 0xFF
    boot[DRIVE_CHECK:DRIVE_CHECK + 2] = b"\x90\x90"
    with image.open("r+b") as out:
        mbr = bytearray(out.read(disk.SECTOR))
        if mbr[510:512] != b"\x55\xaa":
            raise ImageError(f"{image}: its first sector is not an MBR")
        mbr[:CODE_END] = boot
        out.seek(0)
        out.write(mbr)
        out.seek(CORE_SECTOR * disk.SECTOR)
        out.write(core_bytes.ljust(sectors * disk.SECTOR, b"\0"))
