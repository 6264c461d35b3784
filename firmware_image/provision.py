"""``shopcrier-image provision``: one golden image plus one speaker's files, without a rebuild.

Copies the image, then writes onto its FAT boot partition (mtools, no
mount): ``shopcrier/node.toml`` (from ``fleet enroll``), an optional CA
certificate, and ``shopcrier/device.toml`` (hostname, Wi-Fi). The speaker
moves them into ``/etc/shopcrier`` at its first boot (see ``firstboot.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.config import ConfigError, load

from . import disk, fat
from .errors import ImageError
from .firstboot import HOSTNAME_RE
from .tools import need, run


@dataclass(frozen=True)
class Device:
    """One speaker's provisioning: its node TOML, optional CA file, hostname and Wi-Fi."""

    node_file: Path
    hostname: str | None = None
    wifi_ssid: str | None = None
    wifi_psk: str | None = None
    wifi_country: str | None = None
    ca_file: Path | None = None

    def check(self) -> None:
        """Refuse what the speaker could not use, before anything is written."""
        try:
            load(self.node_file)
        except ConfigError as exc:
            raise ImageError(f"--node-file {exc}") from None
        if self.hostname is not None and not HOSTNAME_RE.match(self.hostname):
            raise ImageError(f"--hostname {self.hostname!r} is not a host name (a-z, 0-9 and -, up to 63)")
        if (self.wifi_ssid is None) != (self.wifi_psk is None):
            raise ImageError("Wi-Fi needs both --wifi-ssid and --wifi-psk-env")
        if self.wifi_psk is not None and not 8 <= len(self.wifi_psk) <= 63:
            raise ImageError(f"the Wi-Fi passphrase has {len(self.wifi_psk)} characters; WPA2 needs 8 to 63")
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ImageError(f"--ca {self.ca_file}: no such file")

    def device_toml(self) -> str | None:
        lines = []
        if self.hostname:
            lines.append(f"hostname = {json.dumps(self.hostname)}")
        if self.wifi_ssid is not None and self.wifi_psk is not None:
            lines += ["", "[wifi]", f"ssid = {json.dumps(self.wifi_ssid)}", f"psk = {json.dumps(self.wifi_psk)}"]
            if self.wifi_country:
                lines.append(f"country = {json.dumps(self.wifi_country)}")
        return "\n".join(lines) + "\n" if lines else None


def provision(image: Path, device: Device, out: Path) -> list[str]:
    """Write ``out``: a copy of ``image`` carrying ``device``'s files; returns their paths on the boot partition."""
    device.check()
    if out.resolve() == image.resolve():
        raise ImageError(f"--out {out} is the golden image itself; write each speaker to its own file")
    boot_part, _ = disk.boot_and_root(image)
    written = []
    with tempfile.TemporaryDirectory(prefix="shopcrier-provision-") as tmp:
        work = Path(tmp)
        boot = disk.extract(image, boot_part, work / "boot.vfat")
        if not fat.exists(boot, "/shopcrier/image.toml"):
            raise ImageError(f"{image}: not a ShopCrier image (no shopcrier/image.toml on its boot partition); "
                             "build one with shopcrier-image build")
        node_toml = work / "node.toml"
        node_toml.write_text(with_greeting(device.node_file.read_text(encoding="utf-8")), encoding="utf-8")
        files = [(node_toml, "node.toml")]
        if device.ca_file is not None:
            files.append((device.ca_file, device.ca_file.name))
        text = device.device_toml()
        if text is not None:
            (work / "device.toml").write_text(text)
            files.append((work / "device.toml", "device.toml"))
        for source, name in files:
            fat.put(boot, source, f"/shopcrier/{name}")
            written.append(f"/shopcrier/{name}")
        partial = out.with_name(out.name + ".partial")
        _sparse_copy(image, partial)
        run(["dd", f"if={boot}", f"of={partial}", "bs=1M", f"seek={boot_part.offset}", "oflag=seek_bytes",
             "conv=notrunc", "status=none"])
        os.chmod(partial, 0o600)  # it holds the speaker's broker password until first boot
        partial.replace(out)
    return written


def enrolled_image(node_file: Any, node: Any, password: str, options: dict[str, Any]) -> str:
    """``fleet enroll --image``: the node's TOML goes straight into a copy of the image, never to disk.

    ``node_file`` is the hub's NodeFile (its ``write(path, node, password)`` writes mode 0600);
    ``options`` the command's: image, out, hostname, wifi_ssid, wifi_psk_env. Returns the line to print.
    """
    psk = None
    if options.get("wifi_psk_env"):
        psk = os.environ.get(options["wifi_psk_env"])
        if psk is None:
            raise ImageError(f"--wifi-psk-env {options['wifi_psk_env']}: that environment variable is not set")
    hostname = options.get("hostname") or (node.node_id.lower() if HOSTNAME_RE.match(node.node_id.lower()) else None)
    with tempfile.TemporaryDirectory(prefix="shopcrier-enroll-") as tmp:
        toml = node_file.write(Path(tmp) / "node.toml", node, password)
        written = provision(Path(options["image"]), Device(Path(toml), hostname=hostname,
                                                           wifi_ssid=options.get("wifi_ssid"), wifi_psk=psk),
                            Path(options["out"]))
    return (f"{node.node_id}: wrote its image, with its TOML and new password on the boot partition "
            f"({', '.join(written)}), to {options['out']} (mode 0600)")


def with_greeting(text: str) -> str:
    """The node TOML with ``greet = true`` first, unless it says otherwise: a speaker from an image
    announces that it is connected, and which departments it serves, each time it starts."""
    if any(line.split("=")[0].strip() == "greet" for line in text.splitlines() if "=" in line):
        return text
    return "greet = true  # added by shopcrier-image provision\n" + text


def _sparse_copy(source: Path, dest: Path) -> None:
    dest.unlink(missing_ok=True)
    result = subprocess.run([need("cp"), "--sparse=always", "--reflink=auto", str(source), str(dest)],
                            capture_output=True, text=True)
    if result.returncode:
        shutil.copyfile(source, dest)
