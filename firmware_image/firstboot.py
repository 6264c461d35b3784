"""On the speaker, at every boot before the node: apply what ``provision`` left on the boot partition.

This file is copied into the image as ``/usr/local/lib/shopcrier/firstboot.py``
and run by ``shopcrier-provision.service`` with the system's python3 (standard
library only). What it does, each step idempotent so a power cut in the middle
is finished at the next boot:

1. ``shopcrier/device.toml`` (hostname, Wi-Fi): applied, then deleted.
2. ``shopcrier/node.toml`` and any other file in ``shopcrier/`` (a CA
   certificate): moved into ``/etc/shopcrier`` (directory 0700, files 0600,
   owned by the ``shopcrier`` user), synced, then deleted from the FAT
   partition, so no secret stays where any card reader can see it.
3. The node itself, when the image carries a wheelhouse instead of an
   installed node (a base of another architecture than the build machine's):
   the Debian packages in ``/opt/shopcrier/debs`` and the wheels in
   ``/opt/shopcrier/wheels`` are installed offline, once.

Exit status 0 when the speaker is ready (or nothing was to do), 1 when a
step failed: the message says which, the next boot tries again.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

INCOMING = "shopcrier"
KEEP_ON_BOOT = frozenset({"README.txt", "image.toml"})  # the image's own notes stay on the FAT partition
HOSTNAME_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
SITE = "opt/shopcrier/site"
WHEELS = "opt/shopcrier/wheels"
DEBS = "opt/shopcrier/debs"
WLAN = "wlan0"  # the kernel's name: Raspberry Pi OS keeps it, the Debian base boots with net.ifnames=0
WPA_UNIT = "wpa_supplicant@.service"

Runner = Callable[[Sequence[str]], None]


class ProvisionError(RuntimeError):
    """A provisioning step that failed; the message names the file and the problem."""


def _run(argv: Sequence[str]) -> None:
    result = subprocess.run(list(argv), capture_output=True, text=True)
    if result.returncode:
        last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise ProvisionError(f"{argv[0]} failed: {last}")


def provision(root: Path, boot: Path, *, run: Runner = _run, owner: tuple[int, int] | None = None) -> list[str]:
    """Apply the boot partition's provisioning under ``root``; returns what was done, one line each.

    ``owner`` is the (uid, gid) of the node's files, default the ``shopcrier`` user's.
    """
    done: list[str] = []
    incoming = boot / INCOMING
    device = incoming / "device.toml"
    if device.is_file():
        done += apply_device(root, _read_toml(device), run=run)
        _remove(device)
    if (incoming / "node.toml").is_file():
        done += move_secrets(incoming, root / "etc/shopcrier", owner or _shopcrier_ids())
    if (root / DEBS).is_dir() and not (root / DEBS / ".installed").exists():
        done += install_debs(root, run=run)
    if not (root / SITE).is_dir() and (root / WHEELS).is_dir():
        done += install_node(root, run=run)
    return done


def apply_device(root: Path, device: dict[str, Any], *, run: Runner) -> list[str]:
    """Hostname and Wi-Fi from ``device.toml``; unknown keys are refused before anything is written."""
    unknown = sorted(set(device) - {"hostname", "wifi"})
    if unknown:
        raise ProvisionError(f"device.toml: unknown key {unknown[0]!r} (known: hostname, wifi)")
    done = []
    hostname = device.get("hostname")
    if hostname is not None:
        if not isinstance(hostname, str) or not HOSTNAME_RE.match(hostname):
            raise ProvisionError(f"device.toml: hostname {hostname!r} is not a host name (a-z, 0-9, -)")
        _write(root / "etc/hostname", hostname + "\n", 0o644)
        _write(root / "etc/hosts", f"127.0.0.1 localhost\n127.0.1.1 {hostname}\n", 0o644)
        if root == Path("/"):
            run(["hostname", hostname])
        done.append(f"hostname {hostname}")
    wifi = device.get("wifi")
    if wifi is not None:
        done.append(write_wifi(root, wifi, run=run))
    return done


def write_wifi(root: Path, wifi: Any, *, run: Runner = _run) -> str:
    """A NetworkManager connection (Raspberry Pi OS Bookworm and later), else wpa_supplicant on wlan0.

    Without NetworkManager: ``wpa_supplicant-wlan0.conf``, ``wpa_supplicant@wlan0`` enabled, and a
    systemd-networkd file asking DHCP for wlan0 (see :func:`enable_wpa_supplicant`).
    """
    if not isinstance(wifi, dict) or not isinstance(wifi.get("ssid"), str) or not isinstance(wifi.get("psk"), str):
        raise ProvisionError("device.toml: [wifi] needs ssid and psk, both strings")
    ssid, psk, country = wifi["ssid"], wifi["psk"], str(wifi.get("country", ""))
    if (root / "etc/NetworkManager").is_dir():
        text = (f"[connection]\nid=shopcrier-wifi\ntype=wifi\nautoconnect=true\n\n[wifi]\nmode=infrastructure\n"
                f"ssid={ssid}\n\n[wifi-security]\nkey-mgmt=wpa-psk\npsk={psk}\n\n[ipv4]\nmethod=auto\n\n"
                f"[ipv6]\nmethod=auto\n")
        _write(root / "etc/NetworkManager/system-connections/shopcrier-wifi.nmconnection", text, 0o600)
        return f"Wi-Fi {ssid!r} (NetworkManager)"
    quoted_ssid = ssid.replace("\\", "\\\\").replace('"', '\\"')
    quoted_psk = psk.replace("\\", "\\\\").replace('"', '\\"')
    text = (f"ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev\nupdate_config=1\n"
            + (f"country={country}\n" if country else "")
            + f'network={{\n    ssid="{quoted_ssid}"\n    psk="{quoted_psk}"\n}}\n')
    _write(root / "etc/wpa_supplicant/wpa_supplicant-wlan0.conf", text, 0o600)
    if not enable_wpa_supplicant(root, run=run):
        # Not fatal: the node's own provisioning must not wait on Wi-Fi (it may be on Ethernet).
        return f"Wi-Fi {ssid!r} written, but {WPA_UNIT} is not installed (Debian package wpasupplicant): Wi-Fi stays off"
    return f"Wi-Fi {ssid!r} (wpa_supplicant on {WLAN})"


def enable_wpa_supplicant(root: Path, *, run: Runner) -> bool:
    """``wpa_supplicant@wlan0`` wanted by the wlan0 device, and DHCP on wlan0 through systemd-networkd.

    Wanted by the device, not by multi-user.target: Debian's unit requires the device and comes
    before network.target, so a speaker with no Wi-Fi adapter (on Ethernet, or in a VM) would wait
    for a wlan0 that never appears. systemd reads the new link at the next boot; on the speaker
    itself, this boot, the service is started now if wlan0 is already there. False when the base
    has no wpa_supplicant unit.
    """
    unit = next((f"/{lib}/systemd/system/{WPA_UNIT}" for lib in ("usr/lib", "lib")
                 if (root / lib / "systemd/system" / WPA_UNIT).is_file()), None)
    if unit is None:
        return False
    wants = root / f"etc/systemd/system/sys-subsystem-net-devices-{WLAN}.device.wants"
    wants.mkdir(parents=True, exist_ok=True)
    link = wants / WPA_UNIT.replace("@", f"@{WLAN}")
    if not link.is_symlink():
        temp = link.with_name(f".{link.name}.new")
        temp.unlink(missing_ok=True)
        temp.symlink_to(unit)
        os.replace(temp, link)
        _sync_dir(wants)
    if (root / "etc/systemd/network").is_dir():
        _write(root / f"etc/systemd/network/25-shopcrier-{WLAN}.network",
               f"[Match]\nName={WLAN}\n\n[Network]\nDHCP=yes\n", 0o644)
    if root == Path("/") and Path(f"/sys/class/net/{WLAN}").exists():
        run(["systemctl", "--no-block", "start", link.name])
    return True


def move_secrets(incoming: Path, etc: Path, owner: tuple[int, int]) -> list[str]:
    """Copy every file in ``incoming`` into ``etc`` (0600, ``owner``), sync, then delete the FAT copies."""
    etc.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(etc, 0o700)
    _chown(etc, owner)
    moved = []
    for source in sorted(incoming.iterdir()):
        if not source.is_file() or source.name in KEEP_ON_BOOT:
            continue
        target = etc / source.name
        _write(target, source.read_bytes(), 0o600, owner)
        moved.append(source)
    for source in moved:
        _remove(source)
    return [f"moved {source.name} to {etc}" for source in moved]


def install_debs(root: Path, *, run: Runner) -> list[str]:
    """Install the image's Debian packages offline (once: a marker file records it)."""
    debs = sorted((root / DEBS).glob("*.deb"))
    if debs:
        run(["dpkg", "--root", str(root), "--install", "--force-confold", *map(str, debs)])
    _write(root / DEBS / ".installed", "\n".join(deb.name for deb in debs) + "\n", 0o644)
    return [f"installed {len(debs)} Debian packages from {root / DEBS}"]


def install_node(root: Path, *, run: Runner) -> list[str]:
    """Install the node from the image's wheelhouse offline (once: the site directory marks it done)."""
    done = []
    wheels = root / WHEELS
    pips = sorted(wheels.glob("pip-*.whl"))
    if not pips:
        raise ProvisionError(f"{wheels}: no pip wheel to install the node with")
    partial = root / (SITE + ".partial")
    run([sys.executable, f"{pips[-1]}/pip", "install", "--no-index", "--find-links", str(wheels),
         "--target", str(partial), "--no-warn-script-location", "--disable-pip-version-check",
         *(line.strip() for line in (wheels / "requirements.txt").read_text().splitlines() if line.strip())])
    partial.rename(root / SITE)
    done.append(f"installed the node from {wheels}")
    return done


def _shopcrier_ids() -> tuple[int, int]:
    try:
        return pwd.getpwnam("shopcrier").pw_uid, grp.getgrnam("shopcrier").gr_gid
    except KeyError:
        raise ProvisionError("no shopcrier user: systemd-sysusers has not created it") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProvisionError(f"{path.name}: not valid TOML: {exc}") from None


def _write(path: Path, data: str | bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Write ``path`` whole or not at all: a temp file, fsync, rename, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.new")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data.encode() if isinstance(data, str) else data)
        os.fchmod(fd, mode)
        if owner is not None:
            _chown_fd(fd, owner)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    _sync_dir(path.parent)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _sync_dir(path.parent)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # FAT directories cannot always be fsynced; the file's own fsync came first
    finally:
        os.close(fd)


def _chown(path: Path, owner: tuple[int, int]) -> None:
    if os.geteuid() == 0:
        os.chown(path, *owner)


def _chown_fd(fd: int, owner: tuple[int, int]) -> None:
    if os.geteuid() == 0:
        os.fchown(fd, *owner)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else Path("/")
    boot = Path(args[1]) if len(args) > 1 else root / "boot/firmware"
    try:
        for line in provision(root, boot):
            print(f"shopcrier-provision: {line}")
    except (ProvisionError, OSError) as exc:
        print(f"shopcrier-provision: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
