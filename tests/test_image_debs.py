"""Which Debian packages a build adds to a base: the node's, and Wi-Fi's where NetworkManager will not run it."""

from __future__ import annotations

from firmware_image.build import needed_debs
from firmware_image.target import Inspection


def base(*, network_manager: bool) -> Inspection:
    return Inspection("aarch64", (3, 11), (2, 36), frozenset({"systemd"}), "Debian GNU/Linux 12 (bookworm)",
                      "bookworm", network_manager=network_manager)


def test_a_base_with_networkmanager_needs_only_the_nodes_packages() -> None:
    assert needed_debs(base(network_manager=True)) == ["espeak-ng", "libportaudio2", "alsa-utils"]


def test_a_base_without_networkmanager_also_needs_wpa_supplicant_for_provisioned_wifi() -> None:
    assert needed_debs(base(network_manager=False)) == ["espeak-ng", "libportaudio2", "alsa-utils", "wpasupplicant"]
