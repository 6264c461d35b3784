"""``fleet enroll --image``: a speaker's image straight from enrolment, its TOML only inside the image."""

from __future__ import annotations

import io
import os
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from firmware_image import disk, fat
from tests.image_bases import raspios_like
from tests.test_fleet_broker import make_org

BROKER = "mqtts://hub.example:8883"


def golden_shaped(tmp_path: Path) -> Path:
    """A base carrying what provisioning looks for: the image's notes on its boot partition."""
    image = raspios_like(tmp_path, xz=False)
    boot_part, _ = disk.boot_and_root(image)
    boot = disk.extract(image, boot_part, tmp_path / "boot.vfat")
    (tmp_path / "image.toml").write_text('arch = "aarch64"\n')
    fat.put(boot, tmp_path / "image.toml", "/shopcrier/image.toml")
    with image.open("r+b") as handle:
        handle.seek(boot_part.offset)
        handle.write(boot.read_bytes())
    return image


def fleet(*args: str, broker_dir: Path) -> str:
    out = io.StringIO()
    call_command("fleet", *args, "--broker-dir", str(broker_dir), "--broker-pid", "", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_enroll_with_an_image_writes_the_speaker_image_with_its_toml_and_wifi_on_the_boot_partition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_org()
    image = golden_shaped(tmp_path)
    monkeypatch.setenv("SHOP_WIFI", "correct horse")
    out = tmp_path / "spk-orders-1.img"
    output = fleet("enroll", "spk-orders-1", "--department", "orders", "--broker", BROKER, "--image", str(image),
                   "--out", str(out), "--wifi-ssid", "Shop", "--wifi-psk-env", "SHOP_WIFI",
                   broker_dir=tmp_path / "broker")
    boot_part, _ = disk.boot_and_root(out)
    boot = disk.extract(out, boot_part, tmp_path / "out.vfat")
    node = tomllib.loads(fat.read(boot, "/shopcrier/node.toml").decode())
    assert node["id"] == "spk-orders-1" and node["greet"] is True
    assert node["broker"].startswith("mqtts://spk-orders-1:") and node["routes"][0]["department"] == "orders"
    device = tomllib.loads(fat.read(boot, "/shopcrier/device.toml").decode())
    assert device == {"hostname": "spk-orders-1", "wifi": {"ssid": "Shop", "psk": "correct horse"}}
    password = node["broker"].split(":")[2].split("@")[0]
    assert password not in output and "correct horse" not in output
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".toml") == ["image.toml"]  # no TOML left behind


@pytest.mark.django_db
def test_enroll_with_something_that_is_not_a_speaker_image_fails_with_one_line(tmp_path: Path) -> None:
    make_org()
    base = raspios_like(tmp_path, xz=False)
    with pytest.raises(CommandError, match="not a ShopCrier image"):
        fleet("enroll", "spk-orders-2", "--department", "orders", "--broker", BROKER, "--image", str(base),
              "--out", str(tmp_path / "x.img"), broker_dir=tmp_path / "broker")
