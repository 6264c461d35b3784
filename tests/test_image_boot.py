"""The amd64 base's boot loader, on a small disk made here (seconds, no Debian base needed).

GRUB's boot.img in the MBR and core.img in the gap before partition 1, put
there without root or loop devices: the partition table stays, the bytes are
the same each time, a build keeps them, and SeaBIOS under qemu really runs
them: GRUB finds the FAT partition by its volume id, reads its grub.cfg and
goes for the kernel (absent here, so it says so on the serial console).
tests/test_image_vm.py boots the real base this way, to the speaker's voice.
"""

from __future__ import annotations

import json
import struct
import subprocess
import time
from pathlib import Path

import pytest

from firmware_image import bootloader, disk, fat
from firmware_image.debian_base import CMDLINE, FAT_VOLUME_ID
from firmware_image.errors import ImageError

pytestmark = pytest.mark.timeout(300)


def small_disk(work: Path, name: str = "disk.img") -> Path:
    """A FAT partition with GRUB's configuration and an empty ext4 root, as the base lays them out."""
    boot = fat.make(work / "boot.vfat", 40, "BOOTFS", FAT_VOLUME_ID)
    cfg = work / "grub.cfg"
    cfg.write_text(bootloader.grub_cfg(CMDLINE))
    fat.put(boot, cfg, "/grub/grub.cfg", epoch=1764547200)
    root = work / "root.ext4"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-F", str(root), "8M"], check=True, capture_output=True)
    out = work / name
    disk.assemble(out, boot, root)
    return out


def table(image: Path) -> object:
    return json.loads(subprocess.run(["sfdisk", "--json", str(image)], capture_output=True, check=True).stdout)


def test_grub_goes_into_the_mbr_code_and_the_gap_and_the_partition_table_stays(tmp_path: Path) -> None:
    image = small_disk(tmp_path)
    before = image.read_bytes()[:disk.SECTOR]
    partitions = table(image)
    core = bootloader.core_image(FAT_VOLUME_ID, tmp_path / "core.img")

    bootloader.install(image, core)

    head = image.read_bytes()[:disk.ALIGN * disk.SECTOR]
    assert table(image) == partitions
    assert head[440:512] == before[440:512]  # disk identifier, table, 0x55aa
    boot = (bootloader.GRUB_DIR / "boot.img").read_bytes()
    assert struct.unpack_from("<Q", head, 0x5C) == (1,)  # core.img starts at sector 1
    assert head[0x64] == 0xFF and head[0x66:0x68] == b"\x90\x90"
    assert head[:0x5C] == boot[:0x5C] and head[0x68:440] == boot[0x68:440]
    body = core.read_bytes()
    assert head[disk.SECTOR:disk.SECTOR + len(body)] == body
    assert struct.unpack_from("<Q", body, 0x1F4) == (2,)  # the rest of core.img, from sector 2


def test_the_boot_loader_is_the_same_bytes_each_time(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    images = []
    for work in (one, two):
        image = small_disk(work)
        bootloader.install(image, bootloader.core_image(FAT_VOLUME_ID, work / "core.img"))
        images.append(image.read_bytes()[:disk.ALIGN * disk.SECTOR])  # the MBR and the gap: all GRUB writes
    assert images[0] == images[1]


def test_rebuilding_the_disk_keeps_the_boot_loader(tmp_path: Path) -> None:
    image = small_disk(tmp_path)
    bootloader.install(image, bootloader.core_image(FAT_VOLUME_ID, tmp_path / "core.img"))
    code = disk.boot_code(image)
    assert len(code) == 440 + (disk.ALIGN - 1) * disk.SECTOR

    again = tmp_path / "again.img"
    disk.assemble(again, tmp_path / "boot.vfat", tmp_path / "root.ext4", code=code)

    size = disk.ALIGN * disk.SECTOR
    assert again.read_bytes()[:size] == image.read_bytes()[:size]


def test_a_disk_without_room_before_its_first_partition_is_refused(tmp_path: Path) -> None:
    image = tmp_path / "tight.img"
    with image.open("wb") as handle:
        handle.truncate(16 << 20)
    subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", str(image)], input=b"label: dos\nstart=63, type=c\n",
                   check=True, capture_output=True)
    core = bootloader.core_image(FAT_VOLUME_ID, tmp_path / "core.img")
    sectors = -(-core.stat().st_size // 512)
    with pytest.raises(ImageError, match=rf"core.img needs {sectors} sectors before the first partition, "
                                         r"which starts at sector 63"):
        bootloader.install(image, core)


def grub_console(image: Path, work: Path, *firmware: str) -> str:
    """Boot ``image`` under qemu until GRUB went for the kernel (or 240 s passed); the serial console's text."""
    console = work / "console.log"
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-nodefaults", "-display", "none", "-monitor", "none",
         "-serial", f"file:{console}", "-no-reboot", *firmware, "-drive", f"file={image},format=raw,if=virtio"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240  # wide: the machine is shared
        text = ""
        while time.monotonic() < deadline and "/vmlinuz" not in text:
            time.sleep(0.5)
            text = console.read_text(errors="replace") if console.exists() else ""
    finally:
        qemu.kill()
        qemu.wait(30)
    return text


def test_seabios_runs_grub_from_the_disk_alone_and_grub_reads_its_config_off_the_fat_partition(tmp_path: Path) -> None:
    image = small_disk(tmp_path)
    bootloader.install(image, bootloader.core_image(FAT_VOLUME_ID, tmp_path / "core.img"))

    text = grub_console(image, tmp_path)

    # grub.cfg ran from the FAT partition (its echo), and GRUB looked there for the kernel this disk lacks.
    assert "ShopCrier: loading the kernel" in text, text
    assert "file `/vmlinuz' not found" in text, text


def test_uefi_firmware_runs_the_same_grub_from_the_fat_partition(tmp_path: Path) -> None:
    image = small_disk(tmp_path)  # no MBR boot code: only the EFI program can boot it
    boot_part, _ = disk.boot_and_root(image)
    boot = disk.extract(image, boot_part, tmp_path / "boot.vfat")
    fat.put(boot, bootloader.efi_image(FAT_VOLUME_ID, tmp_path / "BOOTX64.EFI"), bootloader.EFI_PATH)
    subprocess.run(["dd", f"if={boot}", f"of={image}", "bs=1M", f"seek={boot_part.offset}", "oflag=seek_bytes",
                    "conv=notrunc", "status=none"], check=True)
    code = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
    variables = tmp_path / "vars.fd"
    variables.write_bytes(Path("/usr/share/OVMF/OVMF_VARS_4M.fd").read_bytes())

    text = grub_console(image, tmp_path, "-drive", f"if=pflash,format=raw,readonly=on,file={code}",
                        "-drive", f"if=pflash,format=raw,file={variables}")

    assert "ShopCrier: loading the kernel" in text, text
    assert "file `/vmlinuz' not found" in text, text
