"""Benchmark: the speaker image (``make bench``): build time, size raw and xz, boot → first heartbeat under TCG.

Baselines from the same run: copying the base's bytes (what any build must
at least do), the base's own size, and the bare base booting to its login
prompt (kernel + systemd, no node) under the same qemu.
Prints figures; asserts only that the speaker came up.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from firmware_image.build import build
from firmware_image.debian_base import BaseSpec, cache_dir, cached_base
from firmware_image.provision import Device, provision
from mqtt import Heartbeat
from mqtt.broker import Mosquitto
from tests.image_vm import Vm, wait
from tests.mqtt_helpers import Watcher
from tests.test_image_vm import NODE, RTC, node_toml

pytestmark = [pytest.mark.bench, pytest.mark.vm, pytest.mark.timeout(3600)]


def xz_size(path: Path) -> int:
    """Bytes of ``path`` compressed with xz -3 (multi-threaded), streamed, nothing kept."""
    with subprocess.Popen(["xz", "-3", "-T0", "-c", str(path)], stdout=subprocess.PIPE) as xz:
        assert xz.stdout is not None
        size = 0
        while chunk := xz.stdout.read(1 << 20):
            size += len(chunk)
    return size


def test_bench_image_build_size_and_boot_to_first_heartbeat(broker: Mosquitto, tmp_path: Path) -> None:
    started = time.monotonic()
    base, cached = cached_base(BaseSpec())
    base_s = time.monotonic() - started

    started = time.monotonic()
    shutil.copyfile(base, tmp_path / "copy.img")
    copy_s = time.monotonic() - started
    (tmp_path / "copy.img").unlink()

    golden = tmp_path / "golden.img"
    started = time.monotonic()
    report = build(base, golden, voices=[], cache=cache_dir())
    build_s = time.monotonic() - started

    sizes = {"base": (base.stat().st_size, xz_size(base)), "golden": (golden.stat().st_size, xz_size(golden))}
    device = tmp_path / "speaker.img"
    provision(golden, Device(node_toml(tmp_path / "node.toml")), device)

    bare = Vm(base, tmp_path, broker.config.port, rtc=RTC.strftime("%Y-%m-%dT%H:%M:%S"), name="bare", snapshot=True)
    started = time.monotonic()
    bare.start()
    try:
        wait(lambda: "login:" in bare.console_text(), 900, bare, "the bare base's login prompt")
        login_s = time.monotonic() - started
    finally:
        bare.kill()

    watcher = Watcher(broker.url, Heartbeat.topic(node_id=NODE))
    vm = Vm(device, tmp_path, broker.config.port, rtc=RTC.strftime("%Y-%m-%dT%H:%M:%S"), name="speaker")
    started = time.monotonic()
    vm.start()
    try:
        wait(lambda: bool(watcher.drain()), 900, vm, "a first heartbeat")
        heartbeat_s = time.monotonic() - started
    finally:
        vm.kill()
        watcher.close()

    print()
    print(f"image base: {'from the cache' if cached else 'built'} in {base_s:.1f} s")
    print(f"image build: {build_s:.1f} s (baseline: copying the base's bytes {copy_s:.1f} s)")
    for line in report.lines():
        print(f"  {line}")
    for name, (raw, packed) in sizes.items():
        print(f"image size {name}: {raw / 1e6:.0f} MB raw, {packed / 1e6:.0f} MB xz -3")
    print(f"boot under TCG: first heartbeat after {heartbeat_s:.1f} s "
          f"(baseline: bare base to its login prompt {login_s:.1f} s)")
