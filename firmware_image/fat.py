"""The FAT boot partition as a file, edited with mtools (no mount).

Paths are absolute inside the partition (``/shopcrier/node.toml``). mtools
keeps each file's modification time (``-m``), so fixed-time inputs give a
fixed-time partition.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import ImageError
from .tools import run

_ENV = {**os.environ, "MTOOLS_SKIP_CHECK": "1", "MTOOLS_NO_VFAT": "0"}


def make(path: Path, size_mb: int, label: str, volume_id: str = "5C12C1E2") -> Path:
    """A new, empty FAT32 file of ``size_mb`` MiB (a fixed volume id: same inputs, same bytes)."""
    path.unlink(missing_ok=True)
    run(["mkfs.vfat", "-C", "-F", "32", "-n", label, "-i", volume_id, str(path), str(size_mb * 1024)])
    return path


def put(fat: Path, source: Path, dest: str, *, epoch: int | None = None) -> None:
    """Copy the host file ``source`` to ``dest`` in ``fat``, replacing it, making its directories.

    ``epoch``: the time new directories get (mtools stamps them with SOURCE_DATE_EPOCH, else now).
    """
    env = {**_ENV, "SOURCE_DATE_EPOCH": str(epoch)} if epoch is not None else _ENV
    parent = dest.rsplit("/", 1)[0]
    if parent:
        mkdirs(fat, parent, env)
    run(["mcopy", "-o", "-m", "-i", str(fat), str(source), f"::{dest}"], env=env)


def mkdirs(fat: Path, directory: str, env: dict[str, str] = _ENV) -> None:
    """Make ``directory`` and its parents in ``fat`` if missing."""
    path = ""
    for part in directory.strip("/").split("/"):
        path += "/" + part
        if not exists(fat, path):
            run(["mmd", "-i", str(fat), f"::{path}"], env=env)


def exists(fat: Path, path: str) -> bool:
    try:
        run(["mdir", "-b", "-i", str(fat), f"::{path}"], env=_ENV)
    except ImageError:
        return False
    return True


def read(fat: Path, path: str) -> bytes:
    """The bytes of ``path`` in ``fat``; :class:`ImageError` when it is not there."""
    if not exists(fat, path):
        raise ImageError(f"{fat}: no {path} on the boot partition")
    result = subprocess.run(["mcopy", "-n", "-i", str(fat), f"::{path}", "-"], capture_output=True, env=_ENV)
    if result.returncode:
        raise ImageError(f"{fat}: cannot read {path}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def listing(fat: Path) -> list[str]:
    """Every file and directory in ``fat``, as absolute paths, sorted."""
    out = run(["mdir", "-/", "-b", "-i", str(fat), "::/"], env=_ENV)
    return sorted(line.strip().removeprefix("::") for line in out.splitlines() if line.strip())
