"""The speaker's boot-time provisioning step, run against a real directory tree standing for its root.

Only the commands that would change this machine (dpkg, pip) are recorded
instead of run; everything written to files is checked as the speaker would see it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from firmware_image.firstboot import ProvisionError, main, provision

OWNER = (os.getuid(), os.getgid())
NODE_TOML = 'id = "spk-1"\nbroker = "mqtt://spk-1:s3cret@hub:1883"\n'


class Commands:
    def __init__(self) -> None:
        self.run: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> None:
        self.run.append(list(argv))


def tree(tmp_path: Path) -> tuple[Path, Path]:
    root, boot = tmp_path / "root", tmp_path / "root/boot/firmware"
    (boot / "shopcrier").mkdir(parents=True)
    (root / "etc").mkdir()
    (boot / "shopcrier/image.toml").write_text('arch = "aarch64"\n')
    return root, boot


def test_secrets_move_off_the_boot_partition_into_etc_shopcrier_readable_by_the_node_only(tmp_path: Path) -> None:
    root, boot = tree(tmp_path)
    (boot / "shopcrier/node.toml").write_text(NODE_TOML)
    (boot / "shopcrier/ca.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    done = provision(root, boot, run=Commands(), owner=OWNER)
    etc = root / "etc/shopcrier"
    assert (etc / "node.toml").read_text() == NODE_TOML
    assert oct(etc.stat().st_mode & 0o777) == "0o700"
    assert {oct((etc / n).stat().st_mode & 0o777) for n in ("node.toml", "ca.crt")} == {"0o600"}
    assert sorted(p.name for p in (boot / "shopcrier").iterdir()) == ["image.toml"]
    assert done == [f"moved ca.crt to {etc}", f"moved node.toml to {etc}"]


def test_hostname_and_wifi_are_applied_for_networkmanager_and_the_file_deleted(tmp_path: Path) -> None:
    root, boot = tree(tmp_path)
    (root / "etc/NetworkManager").mkdir()
    (boot / "shopcrier/device.toml").write_text(
        'hostname = "spk-2"\n[wifi]\nssid = "Shop"\npsk = "correct horse"\ncountry = "CN"\n')
    provision(root, boot, run=Commands(), owner=OWNER)
    assert (root / "etc/hostname").read_text() == "spk-2\n"
    assert "127.0.1.1 spk-2" in (root / "etc/hosts").read_text()
    connection = root / "etc/NetworkManager/system-connections/shopcrier-wifi.nmconnection"
    assert "ssid=Shop\n" in connection.read_text() and "psk=correct horse\n" in connection.read_text()
    assert connection.stat().st_mode & 0o777 == 0o600
    assert not (boot / "shopcrier/device.toml").exists()


def test_without_networkmanager_wifi_goes_to_wpa_supplicant_with_quotes_escaped(tmp_path: Path) -> None:
    root, boot = tree(tmp_path)
    (boot / "shopcrier/device.toml").write_text('[wifi]\nssid = "Shop \\"A\\""\npsk = "pass word1"\n')
    provision(root, boot, run=Commands(), owner=OWNER)
    text = (root / "etc/wpa_supplicant/wpa_supplicant-wlan0.conf").read_text()
    assert 'ssid="Shop \\"A\\""' in text and 'psk="pass word1"' in text


def test_without_networkmanager_wpa_supplicant_on_wlan0_is_enabled_by_the_device_and_networkd_asks_dhcp(
    tmp_path: Path,
) -> None:
    root, boot = tree(tmp_path)
    (root / "usr/lib/systemd/system").mkdir(parents=True)
    (root / "usr/lib/systemd/system/wpa_supplicant@.service").write_text("[Unit]\n")
    (root / "etc/systemd/network").mkdir(parents=True)
    (boot / "shopcrier/device.toml").write_text('[wifi]\nssid = "Shop"\npsk = "pass word1"\n')
    commands = Commands()

    done = provision(root, boot, run=commands, owner=OWNER)

    link = root / "etc/systemd/system/sys-subsystem-net-devices-wlan0.device.wants/wpa_supplicant@wlan0.service"
    assert os.readlink(link) == "/usr/lib/systemd/system/wpa_supplicant@.service"
    assert not (root / "etc/systemd/system/multi-user.target.wants").exists()  # no boot waits for a wlan0
    network = root / "etc/systemd/network/25-shopcrier-wlan0.network"
    assert network.read_text() == "[Match]\nName=wlan0\n\n[Network]\nDHCP=yes\n"
    assert (root / "etc/wpa_supplicant/wpa_supplicant-wlan0.conf").stat().st_mode & 0o777 == 0o600
    assert done == ["Wi-Fi 'Shop' (wpa_supplicant on wlan0)"]
    assert commands.run == []  # not the running system: nothing started

    (boot / "shopcrier/device.toml").write_text('[wifi]\nssid = "Shop 2"\npsk = "pass word2"\n')
    assert provision(root, boot, run=commands, owner=OWNER) == ["Wi-Fi 'Shop 2' (wpa_supplicant on wlan0)"]
    assert os.readlink(link) == "/usr/lib/systemd/system/wpa_supplicant@.service"  # provisioned again: same link


def test_without_wpa_supplicant_wifi_is_written_and_said_to_stay_off_while_the_node_is_still_provisioned(
    tmp_path: Path,
) -> None:
    root, boot = tree(tmp_path)
    (boot / "shopcrier/device.toml").write_text('[wifi]\nssid = "Shop"\npsk = "pass word1"\n')
    (boot / "shopcrier/node.toml").write_text(NODE_TOML)

    done = provision(root, boot, run=Commands(), owner=OWNER)

    assert done[0] == ("Wi-Fi 'Shop' written, but wpa_supplicant@.service is not installed "
                       "(Debian package wpasupplicant): Wi-Fi stays off")
    assert (root / "etc/shopcrier/node.toml").read_text() == NODE_TOML
    assert not (root / "etc/systemd/system").exists()


def test_a_bad_hostname_is_refused_with_one_line_and_nothing_is_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, boot = tree(tmp_path)
    (boot / "shopcrier/device.toml").write_text('hostname = "Shop_1!"\n')
    (boot / "shopcrier/node.toml").write_text(NODE_TOML)
    assert main([str(root), str(boot)]) == 1
    err = capsys.readouterr().err
    assert err == "shopcrier-provision: device.toml: hostname 'Shop_1!' is not a host name (a-z, 0-9, -)\n"
    assert (boot / "shopcrier/node.toml").exists()
    with pytest.raises(ProvisionError):
        provision(root, boot, run=Commands(), owner=OWNER)


def test_a_wheelhouse_image_installs_debs_then_the_node_offline_once(tmp_path: Path) -> None:
    root, boot = tree(tmp_path)
    wheels, debs = root / "opt/shopcrier/wheels", root / "opt/shopcrier/debs"
    wheels.mkdir(parents=True)
    debs.mkdir(parents=True)
    (wheels / "pip-25.0-py3-none-any.whl").write_bytes(b"")
    (wheels / "requirements.txt").write_text("shopcrier[node]\n")
    (debs / "espeak-ng_1.51_arm64.deb").write_bytes(b"")

    def install(argv: Sequence[str]) -> None:
        commands(argv)
        if "--target" in argv:
            Path(argv[argv.index("--target") + 1]).mkdir(parents=True)

    commands = Commands()
    provision(root, boot, run=install, owner=OWNER)
    assert commands.run[0][:4] == ["dpkg", "--root", str(root), "--install"]
    assert commands.run[1][1:3] == [f"{wheels}/pip-25.0-py3-none-any.whl/pip", "install"]
    assert commands.run[1][-1] == "shopcrier[node]" and "--no-index" in commands.run[1]
    assert (root / "opt/shopcrier/site").is_dir()
    provision(root, boot, run=install, owner=OWNER)
    assert len(commands.run) == 2  # the second boot installs nothing again
