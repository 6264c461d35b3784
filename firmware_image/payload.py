"""The tree the build adds to the root file system, staged in a host directory first.

Units, the first-boot script, the launcher and either the installed node
(``/opt/shopcrier/site``, when this machine can install for the target) or
its wheelhouse (``/opt/shopcrier/wheels``, installed offline at first boot).
Every staged file gets ``epoch`` as its time and a fixed mode, so the same
inputs stage the same tree.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOTFS = HERE / "rootfs"
UNITS = ("shopcrier-node.service", "shopcrier-provision.service")
LAUNCHER = """#!/usr/bin/python3 -I
# shopcrier-node as installed by shopcrier-image: the node lives in /opt/shopcrier/site.
import sys
sys.path.insert(0, "/opt/shopcrier/site")
from node.__main__ import main
sys.exit(main())
"""


def stage_system(stage: Path) -> None:
    """The image's own files: units (enabled), sysusers, journald, first-boot script, launcher."""
    shutil.copytree(ROOTFS, stage, dirs_exist_ok=True)
    system = stage / "etc/systemd/system"
    shutil.copyfile(HERE / "shopcrier-node.service", system / "shopcrier-node.service")
    wants = system / "multi-user.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    for unit in UNITS:
        (wants / unit).symlink_to(f"/etc/systemd/system/{unit}")
    lib = stage / "usr/local/lib/shopcrier"
    lib.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "firstboot.py", lib / "firstboot.py")
    launcher = stage / "usr/local/bin/shopcrier-node"
    launcher.parent.mkdir(parents=True, exist_ok=True)
    launcher.write_text(LAUNCHER)
    launcher.chmod(0o755)


def normalise(stage: Path, epoch: int) -> None:
    """Fixed modes (0755 directories and executables, 0644 the rest) and times: a reproducible tree."""
    for root, dirs, files in os.walk(stage):
        for name in dirs:
            path = Path(root) / name
            if not path.is_symlink():
                path.chmod(0o755)
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    for root, dirs, files in os.walk(stage):
        for name in [*dirs, *files]:
            os.utime(Path(root) / name, (epoch, epoch), follow_symlinks=False)
    os.utime(stage, (epoch, epoch))


def size(path: Path) -> int:
    """Bytes of every regular file under ``path`` (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum((Path(root) / name).lstat().st_size for root, _, files in os.walk(path) for name in files)
