"""An arm64 speaker image from a Raspberry Pi OS-shaped base: its contents, checked without booting it.

arm64 userlands cannot run here, so this test reads the built image with
debugfs and mtools: aarch64 wheels for the base's Python, the node's Debian
packages for arm64, the units, and the provisioning files on the FAT partition.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import pytest

from firmware_image import disk, ext4, fat
from firmware_image.build import build
from firmware_image.debian_base import cache_dir
from firmware_image.errors import ImageError
from firmware_image.provision import Device, provision
from tests.image_bases import CMDLINE, CONFIG, raspios_like
from tests.paths import REPO

pytestmark = [pytest.mark.vm, pytest.mark.timeout(1200)]

WHEEL = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("arm64")
    base = raspios_like(work)
    golden = work / "golden.img"
    build(base, golden, voices=[], cache=cache_dir())
    return base, golden


def parts(image: Path, work: Path) -> tuple[Path, Path]:
    boot_part, root_part = disk.boot_and_root(image)
    return (disk.extract(image, boot_part, work / f"{image.stem}.boot"),
            disk.extract(image, root_part, work / f"{image.stem}.root"))


def test_the_wheelhouse_holds_only_aarch64_wheels_for_the_base_python(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, root = parts(built[1], tmp_path)
    names = [n for n in ext4.listing(root, "/opt/shopcrier/wheels") if n.endswith(".whl")]
    tags = {m.group("name").lower(): m for m in (WHEEL.match(n) for n in names) if m}
    assert len(tags) == len(names)
    for name in ("shopcrier", "numpy", "onnxruntime", "paho_mqtt", "peewee", "pip"):
        assert name in tags, f"no {name} wheel in {sorted(tags)}"
    for match in tags.values():
        assert match.group("plat") == "any" or match.group("plat").endswith("aarch64"), match.string
        assert match.group("abi") in ("none", "abi3", "cp311"), match.string
    assert tags["numpy"].group("py") == "cp311" and tags["onnxruntime"].group("py") == "cp311"
    assert not any(name in tags for name in ("django", "daphne", "psycopg", "channels"))
    requirements = ext4.read(root, "/opt/shopcrier/wheels/requirements.txt").decode().split()
    assert requirements == ["shopcrier[node]"]


def test_the_node_debian_packages_come_for_arm64(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, root = parts(built[1], tmp_path)
    debs = ext4.listing(root, "/opt/shopcrier/debs")
    for package in ("espeak-ng", "libportaudio2", "alsa-utils"):
        assert any(deb.startswith(f"{package}_") and deb.endswith("_arm64.deb") for deb in debs), debs
    assert not any(deb.startswith("wpasupplicant_") for deb in debs)  # NetworkManager runs its Wi-Fi
    assert all(deb.endswith(("_arm64.deb", "_all.deb")) for deb in debs)


def test_the_units_and_first_boot_script_are_installed_and_enabled(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, root = parts(built[1], tmp_path)
    unit = ext4.read(root, "/etc/systemd/system/shopcrier-node.service")
    assert unit == (REPO / "firmware_image/shopcrier-node.service").read_bytes()
    assert b"ExecStart=/usr/bin/python3 -I /usr/local/lib/shopcrier/firstboot.py" in ext4.read(
        root, "/etc/systemd/system/shopcrier-provision.service")
    assert ext4.read(root, "/usr/local/lib/shopcrier/firstboot.py") == (REPO / "firmware_image/firstboot.py").read_bytes()
    assert set(ext4.listing(root, "/etc/systemd/system/multi-user.target.wants")) >= {
        "shopcrier-node.service", "shopcrier-provision.service"}
    assert b"Storage=volatile" in ext4.read(root, "/etc/systemd/journald.conf.d/shopcrier.conf")
    assert b"u shopcrier" in ext4.read(root, "/usr/lib/sysusers.d/shopcrier.conf")
    assert ext4.read(root, "/usr/local/bin/shopcrier-node").startswith(b"#!/usr/bin/python3 -I")


def test_the_base_boot_files_stay_and_the_image_says_what_it_is(built: tuple[Path, Path], tmp_path: Path) -> None:
    boot, _ = parts(built[1], tmp_path)
    assert fat.read(boot, "/config.txt").decode() == CONFIG
    assert fat.read(boot, "/cmdline.txt").decode().strip() == CMDLINE
    info = tomllib.loads(fat.read(boot, "/shopcrier/image.toml").decode())
    assert (info["arch"], info["python"], info["node_installed_at"]) == ("aarch64", "3.11", "first boot")


def test_provisioning_writes_only_the_boot_partition_readable_with_mtools(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    node_file = tmp_path / "spk-finance-1.toml"
    node_file.write_text('id = "spk-finance-1"\nbroker = "mqtts://spk-finance-1:s3cret@hub.shop:8883"\n'
                         '[[routes]]\nsubsystem = "ops"\ndepartment = "finance"\n')
    device = tmp_path / "spk-finance-1.img"
    provision(built[1], Device(node_file, hostname="spk-finance-1", wifi_ssid="Shop WiFi",
                               wifi_psk="correct horse", wifi_country="CN"), device)
    boot, root = parts(device, tmp_path)
    node = tomllib.loads(fat.read(boot, "/shopcrier/node.toml").decode())
    assert (node["id"], node["greet"], node["routes"][0]["department"]) == ("spk-finance-1", True, "finance")
    dev = tomllib.loads(fat.read(boot, "/shopcrier/device.toml").decode())
    assert dev == {"hostname": "spk-finance-1", "wifi": {"ssid": "Shop WiFi", "psk": "correct horse", "country": "CN"}}
    (tmp_path / "golden").mkdir()
    _, golden_root = parts(built[1], tmp_path / "golden")
    assert _sha(root) == _sha(golden_root)  # no rebuild: the root partition is the golden one, byte for byte
    assert device.stat().st_mode & 0o777 == 0o600


def test_provisioning_refuses_a_bad_node_file_with_one_line(built: tuple[Path, Path], tmp_path: Path) -> None:
    node_file = tmp_path / "bad.toml"
    node_file.write_text('id = "spk 1"\nbroker = "mqtt://hub:1883"\n')
    with pytest.raises(ImageError, match=r"--node-file .*bad.toml: id: 'spk 1' must be a slug"):
        provision(built[1], Device(node_file), tmp_path / "out.img")
    assert not (tmp_path / "out.img").exists()


def test_the_same_inputs_build_the_same_image(built: tuple[Path, Path], tmp_path: Path) -> None:
    again = tmp_path / "again.img"
    build(built[0], again, voices=[], cache=cache_dir())
    assert _sha(again) == _sha(built[1])


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()
