"""MBR disk images as files: read the partition table, cut partitions out, put a disk together.

No loop devices: ``sfdisk`` reads and writes the table of a plain file and
``dd conv=notrunc`` copies partitions in and out at their byte offsets.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ImageError
from .tools import run

SECTOR = 512
BOOT_CODE = 440  # bytes of boot code at the start of the MBR; the disk identifier and the table follow
ALIGN = 2048  # sectors: partitions start on 1 MiB boundaries, as rpi-imager and Raspberry Pi OS do
FAT32_LBA = "c"
LINUX = "83"
# A fixed disk identifier: the same inputs give the same disk, and the root's
# PARTUUID (5c12c1e2-02) can be written into cmdline.txt before the disk exists.
DISK_ID = "0x5c12c1e2"


@dataclass(frozen=True)
class Partition:
    """One MBR partition: ``start`` and ``size`` in 512-byte sectors, ``type`` in hex (c, 83)."""

    number: int
    start: int
    size: int
    type: str

    @property
    def offset(self) -> int:
        return self.start * SECTOR

    @property
    def bytes(self) -> int:
        return self.size * SECTOR


def partitions(image: Path) -> list[Partition]:
    """The image's MBR partitions in order; :class:`ImageError` when it has no MBR table."""
    if not image.is_file():
        raise ImageError(f"{image}: no such image file")
    try:
        table = json.loads(run(["sfdisk", "--json", str(image)]))["partitiontable"]
    except (ImageError, json.JSONDecodeError, KeyError) as exc:
        raise ImageError(f"{image}: not a disk image with a partition table ({exc})") from None
    if table.get("label") != "dos":
        raise ImageError(f"{image}: has a {table.get('label')} partition table; an MBR (dos) one is expected")
    return [Partition(number=i + 1, start=int(p["start"]), size=int(p["size"]), type=str(p["type"]).lower())
            for i, p in enumerate(table.get("partitions", []))]


def boot_and_root(image: Path) -> tuple[Partition, Partition]:
    """The FAT boot and the Linux root partitions, as Raspberry Pi OS lays them out (1 and 2)."""
    parts = partitions(image)
    if len(parts) < 2 or parts[0].type not in ("b", "c", "e", "ef") or parts[1].type != LINUX:
        shape = ", ".join(f"{p.number}:{p.type}" for p in parts) or "none"
        raise ImageError(f"{image}: expected partition 1 FAT (boot) and 2 Linux (root), found {shape}")
    return parts[0], parts[1]


def extract(image: Path, part: Partition, out: Path) -> Path:
    """Copy one partition out of ``image`` into the file ``out``."""
    with image.open("rb") as src, out.open("wb") as dst:
        src.seek(part.offset)
        left = part.bytes
        while left:
            chunk = src.read(min(left, 8 << 20))
            if not chunk:
                raise ImageError(f"{image}: ends inside partition {part.number}")
            dst.write(chunk)
            left -= len(chunk)
    return out


def boot_code(image: Path) -> bytes:
    """What a boot loader keeps outside the partitions: the MBR's first 440 bytes (its code) followed by
    the sectors between the MBR and the first partition, up to :data:`ALIGN` (GRUB's core.img)."""
    first = min((p.start for p in partitions(image)), default=ALIGN)
    with image.open("rb") as disk:
        head = disk.read(min(first, ALIGN) * SECTOR)
    return head[:BOOT_CODE] + head[SECTOR:]


def assemble(out: Path, boot: Path, root: Path, *, code: bytes = b"") -> list[Partition]:
    """Write a disk ``out`` holding the FAT file ``boot`` as partition 1 and the ext4 file ``root`` as 2.

    ``code`` (from :func:`boot_code` of the disk ``out`` is rebuilt from) is written back around the
    new partition table, so a base's boot loader survives the build.
    """
    sizes = [_sectors(boot), _sectors(root)]
    starts = [ALIGN, ALIGN + _aligned(sizes[0])]
    total = starts[1] + _aligned(sizes[1])
    out.unlink(missing_ok=True)
    with out.open("wb") as disk:
        disk.truncate(total * SECTOR)
    script = (f"label: dos\nlabel-id: {DISK_ID}\nunit: sectors\n\n"
              f"start={starts[0]}, size={sizes[0]}, type={FAT32_LBA}\n"
              f"start={starts[1]}, size={sizes[1]}, type={LINUX}\n")
    run(["sfdisk", "--no-reread", "--no-tell-kernel", "--wipe", "never", str(out)], stdin=script.encode())
    for start, source in zip(starts, (boot, root)):
        run(["dd", f"if={source}", f"of={out}", "bs=1M", f"seek={start * SECTOR}", "oflag=seek_bytes",
             "conv=notrunc,sparse", "status=none"])
    if code:
        if len(code) > BOOT_CODE + (ALIGN - 1) * SECTOR:
            raise ImageError(f"{out}: {len(code)} bytes of boot code do not fit before sector {ALIGN}")
        with out.open("r+b") as disk:
            disk.write(code[:BOOT_CODE])
            disk.seek(SECTOR)
            disk.write(code[BOOT_CODE:])
    return partitions(out)


def _sectors(path: Path) -> int:
    size = os.stat(path).st_size
    if size % SECTOR:
        raise ImageError(f"{path}: {size} bytes is not a whole number of sectors")
    return size // SECTOR


def _aligned(sectors: int) -> int:
    return -(-sectors // ALIGN) * ALIGN
