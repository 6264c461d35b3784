"""The ext4 root partition as a file, read and written with ``debugfs`` (no mount, no root).

:func:`add_tree` copies a staged directory in: every file, directory and
symlink gets the owner, mode and timestamp the stage declares, whoever runs
the build, so the same stage gives the same file system contents.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import superblock
from .errors import ImageError
from .tools import need, run

# What debugfs says, harmlessly, for a mkdir of a directory the base has
# already (/etc, /usr/local/bin) and an rm of a file it does not have.
_EXPECTED = ("Ext2 directory already exists", "File not found by ext2_lookup")


@dataclass(frozen=True)
class Entry:
    """One staged path: ``path`` inside the image, its host ``source``, mode bits, owner."""

    path: str
    source: Path
    mode: int
    uid: int = 0
    gid: int = 0


def read(image: Path, path: str) -> bytes:
    """The bytes of ``path`` in the ext4 file ``image``; :class:`ImageError` when absent."""
    result = subprocess.run([need("debugfs"), "-R", f"cat {path}", str(image)], capture_output=True)
    errors = _errors(result.stderr)
    if result.returncode or errors:
        raise ImageError(f"{image}: cannot read {path}: {errors[0] if errors else result.returncode}")
    return result.stdout


def exists(image: Path, path: str) -> bool:
    result = subprocess.run([need("debugfs"), "-R", f"stat {path}", str(image)], capture_output=True)
    return result.returncode == 0 and not _errors(result.stderr)


def listing(image: Path, directory: str) -> list[str]:
    """The names in ``directory`` of ``image`` (without . and ..), sorted."""
    out = run(["debugfs", "-R", f"ls -p {directory}", str(image)])
    names = [line.split("/")[5] for line in out.splitlines() if line.count("/") >= 6]
    return sorted(name for name in names if name not in (".", ".."))


def grow(image: Path, size_mb: int, epoch: int) -> None:
    """Make the file system ``image`` at least ``size_mb`` MiB (offline resize2fs)."""
    if image.stat().st_size >= size_mb << 20:
        return
    run(["e2fsck", "-fy", str(image)], ok_codes=(0, 1), env=_fake_time(epoch))
    with image.open("r+b") as handle:
        handle.truncate(size_mb << 20)
    run(["resize2fs", str(image)], env=_fake_time(epoch))


def _fake_time(epoch: int) -> dict[str, str]:
    """e2fsprogs stamps the superblock (write, check times) with this instead of now: same inputs, same bytes."""
    return {**os.environ, "E2FSPROGS_FAKE_TIME": str(epoch)}


def staged(stage: Path) -> Iterator[Entry]:
    """The stage's entries in sorted order: owners root, modes as staged (see payload.py)."""
    for root, dirs, files in os.walk(stage):
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            source = Path(root) / name
            info = source.lstat()
            yield Entry("/" + str(source.relative_to(stage)), source, info.st_mode)


def add_tree(image: Path, entries: list[Entry], epoch: int) -> None:
    """Write ``entries`` into ``image``, replacing what was there; every inode's times set to ``epoch``."""
    lines = [f"sif / {field} @{epoch}" for field in ("atime", "mtime", "ctime")]  # new entries touch the root
    for entry in entries:
        path = _quoted(entry.path)
        if stat.S_ISDIR(entry.mode):
            lines.append(f"mkdir {path}")
        elif stat.S_ISLNK(entry.mode):
            lines += [f"rm {path}", f"symlink {path} {_quoted(os.readlink(entry.source))}"]
        else:
            lines += [f"rm {path}", f"write {_quoted(str(entry.source))} {path}"]
        lines += [f"sif {path} mode 0{entry.mode:o}", f"sif {path} uid {entry.uid}", f"sif {path} gid {entry.gid}"]
        lines += [f"sif {path} {field} @{epoch}" for field in ("atime", "mtime", "ctime", "crtime")]
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as script:
        script.write("\n".join(lines) + "\n")
        script.flush()
        result = subprocess.run([need("debugfs"), "-w", "-f", script.name, str(image)], capture_output=True,
                                env=_fake_time(epoch))
    problems = [line for line in _errors(result.stderr) if not any(ok in line for ok in _EXPECTED)]
    if result.returncode or problems:
        raise ImageError(f"{image}: debugfs could not write the stage: {problems[0] if problems else result.returncode}")
    fsck(image, epoch)


def fsck(image: Path, epoch: int) -> None:
    """Check ``image``; fix only what a fresh debugfs write leaves (counts); refuse real damage."""
    result = subprocess.run([need("e2fsck"), "-fy", str(image)], capture_output=True, env=_fake_time(epoch))
    if result.returncode not in (0, 1):
        raise ImageError(f"{image}: e2fsck found damage (exit {result.returncode})")
    superblock.stamp(image, epoch)


def _quoted(path: str) -> str:
    """A path as one debugfs argument (names with spaces exist in wheels)."""
    if '"' in path or "\n" in path:
        raise ImageError(f"cannot put {path!r} in the image: its name has a quote or a newline")
    return f'"{path}"'


def _errors(stderr: bytes) -> list[str]:
    lines = stderr.decode(errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("debugfs ")]
