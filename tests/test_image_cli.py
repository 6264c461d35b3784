"""``shopcrier-image`` as a user runs it: bad input gets one line naming the problem, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.image_bases import raspios_like


def image_tool(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware_image", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_a_missing_base_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = image_tool("build", "--base", str(tmp_path / "nope.img.xz"), "--out", str(tmp_path / "x.img"))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"shopcrier-image: {tmp_path / 'nope.img.xz'}: no such base image\n"


def test_a_base_that_is_not_a_disk_image_is_named(tmp_path: Path) -> None:
    junk = tmp_path / "junk.img"
    junk.write_bytes(b"\0" * 4096)
    result = image_tool("build", "--base", str(junk), "--out", str(tmp_path / "x.img"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"shopcrier-image: {junk}: not a disk image with a partition table")


def test_provision_refuses_an_unset_passphrase_variable_and_a_plain_base(tmp_path: Path) -> None:
    node = tmp_path / "node.toml"
    node.write_text('id = "spk-1"\nbroker = "mqtt://hub:1883"\n')
    base = raspios_like(tmp_path, xz=False)
    unset = image_tool("provision", str(base), "--node-file", str(node), "--wifi-ssid", "Shop",
                       "--wifi-psk-env", "SHOPCRIER_TEST_UNSET_PSK", "--out", str(tmp_path / "o.img"))
    assert unset.returncode == 1
    assert unset.stderr == "shopcrier-image: --wifi-psk-env SHOPCRIER_TEST_UNSET_PSK: that environment variable is not set\n"
    short = image_tool("provision", str(base), "--node-file", str(node), "--wifi-ssid", "Shop",
                       "--wifi-psk-env", "PSK", "--out", str(tmp_path / "o.img"), env={"PSK": "short"})
    assert short.stderr == "shopcrier-image: the Wi-Fi passphrase has 5 characters; WPA2 needs 8 to 63\n"
    plain = image_tool("provision", str(base), "--node-file", str(node), "--out", str(tmp_path / "o.img"))
    assert plain.returncode == 1 and "not a ShopCrier image" in plain.stderr and plain.stderr.count("\n") == 1
    assert not (tmp_path / "o.img").exists()


def test_a_voice_wheel_that_is_not_there_or_not_a_wheel_is_named_before_any_work(tmp_path: Path) -> None:
    missing = image_tool("build", "--base", str(tmp_path / "base.img"), "--voice", str(tmp_path / "nowhere.whl"),
                         "--out", str(tmp_path / "x.img"))
    assert (missing.returncode, missing.stderr) == (1, f"shopcrier-image: --voice {tmp_path / 'nowhere.whl'}: no such file\n")
    (tmp_path / "fake.whl").write_text("not a zip")
    fake = image_tool("build", "--base", str(tmp_path / "base.img"), "--voice", str(tmp_path / "fake.whl"),
                      "--out", str(tmp_path / "x.img"))
    assert fake.stderr == f"shopcrier-image: --voice {tmp_path / 'fake.whl'}: not a wheel (not a zip file)\n"
    assert not (tmp_path / "x.img").exists()
