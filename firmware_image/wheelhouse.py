"""The node's wheels for the target's architecture and Python, fetched once and cached.

``pip download --only-binary=:all: --platform … --python-version …`` picks
the wheels the speaker can install offline, whatever machine builds the
image; the shopcrier wheel itself is built from this source tree.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ImageError

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    """The speaker's CPU (``x86_64``/``aarch64``), Python (3, 11) and glibc (2, 36)."""

    arch: str
    python: tuple[int, int]
    glibc: tuple[int, int]

    @property
    def python_tag(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    def platforms(self) -> list[str]:
        """Every manylinux tag the target's glibc runs, newest first."""
        newest = self.glibc[1] if self.glibc[0] == 2 else 17
        return [f"manylinux_2_{minor}_{self.arch}" for minor in range(newest, 16, -1)] + [f"manylinux2014_{self.arch}"]

    def matches_host(self) -> bool:
        """True when this machine's Python can install for the target directly (same CPU and version)."""
        return self.arch == os.uname().machine and self.python == sys.version_info[:2]


def build_shopcrier_wheel(out: Path, epoch: int) -> Path:
    """The shopcrier wheel from this source tree (fixed timestamps), in ``out``."""
    if not (REPO / "setup.cfg").is_file():
        raise ImageError(f"{REPO} is not a shopcrier source tree: pass the node wheel with --node-wheel")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    with tempfile.TemporaryDirectory(prefix="shopcrier-wheel-") as tmp:
        _pip(["wheel", "--no-deps", "--wheel-dir", tmp, str(REPO)], env)
        built = sorted(Path(tmp).glob("shopcrier-*.whl"))
        if not built:
            raise ImageError("pip wheel built no shopcrier wheel")
        out.mkdir(parents=True, exist_ok=True)
        target = out / built[0].name
        shutil.copyfile(built[0], target)
    return target


def requirements(voices: list[str]) -> list[str]:
    """What the speaker installs: the node with its extra, then each voice (a wheel file stands for its name)."""
    names = [Path(voice).name.split("-")[0] if voice.endswith(".whl") else voice for voice in voices]
    return ["shopcrier[node]", *names]


def dependencies(node_wheel: Path) -> list[str]:
    """What ``shopcrier[node]`` requires, read from the wheel's metadata (the shared ones and the node extra's)."""
    with zipfile.ZipFile(node_wheel) as wheel:
        names = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        if not names:
            raise ImageError(f"{node_wheel}: no METADATA in the wheel")
        metadata = wheel.read(names[0]).decode()
    found = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist: "):
            continue
        requirement, _, marker = line.removeprefix("Requires-Dist: ").partition(";")
        if not marker.strip() or marker.replace("'", '"').split() == ["extra", "==", '"node"']:
            found.append(requirement.strip())
    return sorted(found)


def voice_files(voices: list[str]) -> list[Path]:
    """The ``--voice`` arguments that are wheel files (the rest are names on the package index), checked."""
    files = [Path(voice) for voice in voices if voice.endswith(".whl")]
    for wheel in files:
        if not wheel.is_file():
            raise ImageError(f"--voice {wheel}: no such file")
        if not zipfile.is_zipfile(wheel):
            raise ImageError(f"--voice {wheel}: not a wheel (not a zip file)")
    return files


def fetch(target: Target, node_wheel: Path, voices: list[str], cache: Path) -> Path:
    """A directory of wheels for ``target``: the node's dependencies, the voices named by the index, and pip
    (not the node itself, nor voice wheel files: the build takes those as they are, see :func:`voice_files`).

    Cached under a key of the target and the requirements, so a change to the
    node's code, or a voice wheel file, fetches nothing again.
    """
    requirements = dependencies(node_wheel)
    voices = [voice for voice in voices if not voice.endswith(".whl")]
    key = hashlib.sha256("\n".join([target.arch, target.python_tag, *target.platforms(), *requirements,
                                    *sorted(voices)]).encode()).hexdigest()[:16]
    house = cache / f"wheels-{target.arch}-{target.python_tag}-{key}"
    if house.is_dir():
        log.info("wheelhouse %s from the cache", house.name)
        return house
    cache.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=house.name + ".", dir=cache))
    try:
        platform_args = [arg for tag in target.platforms() for arg in ("--platform", tag)]
        _pip(["download", "--only-binary=:all:", "--dest", str(partial), *platform_args,
              "--python-version", f"{target.python[0]}.{target.python[1]}", "--implementation", "cp",
              "--abi", target.python_tag, *requirements, *voices, "pip"], dict(os.environ))
        publish(partial, house)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return house


def publish(partial: Path, final: Path) -> None:
    """Rename a finished cache entry into place; another build that got there first wins, same contents."""
    try:
        partial.rename(final)
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(partial, ignore_errors=True)


def install(house: Path, node_wheel: Path, reqs: list[str], site: Path, epoch: int,
            extra: list[Path] | None = None) -> None:
    """Install ``reqs`` from ``house``, the node wheel and the ``extra`` wheel files (voices) offline into
    ``site`` (the speaker's sys.path), compiled."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}  # pip's .pyc files become hash-checked: reproducible
    links = dict.fromkeys([house, node_wheel.parent, *(wheel.parent for wheel in extra or [])])
    _pip(["install", "--no-index", *(arg for link in links for arg in ("--find-links", str(link))),
          "--target", str(site), "--no-warn-script-location", *reqs], env)
    shutil.rmtree(site / "bin", ignore_errors=True)  # scripts with this machine's interpreter in their #!


def _pip(args: list[str], env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args]
    log.debug("running %s", " ".join(command))
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip() and "WARNING" not in line]
        errors = [line for line in lines if line.lower().startswith("error:")]
        raise ImageError(f"pip {args[0]} failed: {(errors or lines or [str(result.returncode)])[0]}")
