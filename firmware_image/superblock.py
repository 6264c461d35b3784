"""Fixed times in an ext4 file's superblocks, so the same inputs give the same bytes.

e2fsprogs 1.47.0 stamps the last write and last check times with the
current time whatever ``E2FSPROGS_FAKE_TIME`` says; this rewrites them (in
the primary superblock and every backup) and their crc32c checksums.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .errors import ImageError

MAGIC = 0xEF53
_WTIME, _LASTCHECK, _WTIME_HI, _LASTCHECK_HI = 0x30, 0x40, 0x274, 0x275
_CHECKSUM = 0x3FC
_METADATA_CSUM = 0x400  # s_feature_ro_compat bit


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _table()


def crc32c(data: bytes, crc: int = 0xFFFFFFFF) -> int:
    """ext4's crc32c: Castagnoli, seeded with ~0, no final inversion."""
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def stamp(image: Path, epoch: int) -> int:
    """Set every superblock's write and check times to ``epoch``; returns how many were rewritten."""
    with image.open("r+b") as handle:
        handle.seek(1024)
        primary = handle.read(1024)
        if struct.unpack_from("<H", primary, 0x38)[0] != MAGIC:
            raise ImageError(f"{image}: not an ext4 file system")
        first_block, log_size = struct.unpack_from("<II", primary, 20)
        per_group = struct.unpack_from("<I", primary, 32)[0]
        block = 1024 << log_size
        blocks = struct.unpack_from("<I", primary, 4)[0]
        groups = -(-(blocks - first_block) // per_group)
        offsets = [1024] + [(g * per_group + first_block) * block for g in range(1, groups) if _has_backup(g)]
        count = 0
        for offset in offsets:
            handle.seek(offset)
            raw = bytearray(handle.read(1024))
            if len(raw) < 1024 or struct.unpack_from("<H", raw, 0x38)[0] != MAGIC:
                continue
            struct.pack_into("<I", raw, _WTIME, epoch & 0xFFFFFFFF)
            struct.pack_into("<I", raw, _LASTCHECK, epoch & 0xFFFFFFFF)
            raw[_WTIME_HI] = raw[_LASTCHECK_HI] = (epoch >> 32) & 0xFF
            if struct.unpack_from("<I", raw, 0x64)[0] & _METADATA_CSUM:
                struct.pack_into("<I", raw, _CHECKSUM, crc32c(bytes(raw[:_CHECKSUM])))
            handle.seek(offset)
            handle.write(raw)
            count += 1
    return count


def _has_backup(group: int) -> bool:
    """sparse_super: groups 1 and the powers of 3, 5 and 7 hold a backup superblock."""
    if group <= 1:
        return True
    for base in (3, 5, 7):
        power = base
        while power < group:
            power *= base
        if power == group:
            return True
    return False
