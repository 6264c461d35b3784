"""``shopcrier-image``: ``base``, ``build`` and ``provision`` speaker images.

Exit status 0 on success, 1 when a step fails (one line on stderr says why),
2 for bad arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .build import DEFAULT_EPOCH, build
from .debian_base import DEFAULT_MIRROR, DEFAULT_SUITE, BaseSpec, build_base, cache_dir
from .errors import ImageError
from .provision import Device, provision


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="shopcrier-image", description="Build and provision ShopCrier speaker images")
    top.add_argument("--verbose", action="store_true", help="log each tool run")
    subs = top.add_subparsers(dest="action", required=True)
    base = subs.add_parser("base", help="build an amd64 base image from Debian packages (mmdebstrap, rootless)")
    base.add_argument("--out", type=Path, required=True, help="the base disk image to write")
    base.add_argument("--suite", default=DEFAULT_SUITE, help=f"Debian suite (default {DEFAULT_SUITE})")
    base.add_argument("--mirror", default=DEFAULT_MIRROR, help=f"Debian mirror (default {DEFAULT_MIRROR})")
    sub = subs.add_parser("build", help="turn a base image into a golden speaker image")
    sub.add_argument("--base", type=Path, required=True,
                     help="a Raspberry Pi OS Lite arm64 .img or .img.xz, or one from `shopcrier-image base`")
    sub.add_argument("--out", type=Path, required=True, help="the golden image to write")
    sub.add_argument("--voice", action="append", default=[], help="a voice wheel (file or name) to add (repeat)")
    sub.add_argument("--node-wheel", type=Path, help="the shopcrier wheel (default: built from this source tree)")
    prov = subs.add_parser("provision", help="write one speaker's files onto a copy of a golden image")
    prov.add_argument("image", type=Path, help="the golden image")
    prov.add_argument("--node-file", type=Path, required=True, help="the node TOML from `shopcrier-hub fleet enroll`")
    prov.add_argument("--out", type=Path, required=True, help="this speaker's image to write")
    prov.add_argument("--hostname", help="the speaker's host name")
    prov.add_argument("--wifi-ssid", help="the Wi-Fi network's name")
    prov.add_argument("--wifi-psk-env", metavar="VAR", help="the environment variable holding the Wi-Fi passphrase")
    prov.add_argument("--wifi-country", help="the Wi-Fi regulatory country, e.g. CN")
    prov.add_argument("--ca", type=Path, help="a CA certificate for an mqtts:// broker (goes to /etc/shopcrier)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        for line in _act(args):
            print(line)
    except ImageError as exc:
        print(f"shopcrier-image: {exc}", file=sys.stderr)
        return 1
    return 0


def _act(args: argparse.Namespace) -> list[str]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    if args.action == "base":
        out, hit = build_base(BaseSpec(suite=args.suite, mirror=args.mirror, epoch=epoch), args.out)
        return [f"wrote {out} ({out.stat().st_size / 1e6:.0f} MB){' from the cache' if hit else ''}"]
    if args.action == "build":
        report = build(args.base, args.out, voices=args.voice, cache=cache_dir(), epoch=epoch,
                       node_wheel=args.node_wheel)
        return [*report.lines(), f"wrote {args.out}"]
    psk = None
    if args.wifi_psk_env:
        psk = os.environ.get(args.wifi_psk_env)
        if psk is None:
            raise ImageError(f"--wifi-psk-env {args.wifi_psk_env}: that environment variable is not set")
    device = Device(args.node_file, hostname=args.hostname, wifi_ssid=args.wifi_ssid, wifi_psk=psk,
                    wifi_country=args.wifi_country, ca_file=args.ca)
    written = provision(args.image, device, args.out)
    return [f"wrote {args.out} with {', '.join(written)} on its boot partition"]


if __name__ == "__main__":
    sys.exit(main())
