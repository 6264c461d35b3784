"""A speaker image booted under qemu TCG: restricted user networking, a WAV-recording sound card.

The guest reaches only 10.0.2.100:1883, relayed to the test's broker on
loopback; its clock starts at a fixed instant (``-rtc base=…,clock=vm``),
so nothing depends on this machine's time. It boots from the disk alone, as
a mini-PC does: SeaBIOS runs the GRUB in its MBR, which loads the kernel and
initrd off the FAT partition; no ``-kernel``/``-initrd``. The only thing the
test adds to the disk is ``/grub/extra.cfg`` on that partition, which GRUB
reads to put the guest's journal on its serial console (a failing test shows
what the speaker logged).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from firmware_image import disk, fat
from firmware_image.tools import need
from tests.paths import REPO

GUEST_BROKER = "10.0.2.100"
RATE = 44100  # qemu's wav backend: 44.1 kHz, 16-bit, stereo
FRAME_BYTES = 4
WAV_HEADER = 44


class Vm:
    """One qemu run of ``image``; ``wav`` records what the guest plays, ``console`` its serial output."""

    def __init__(self, image: Path, work: Path, broker_port: int, *, rtc: str, name: str,
                 snapshot: bool = False) -> None:
        """``snapshot``: the guest's writes go to a temporary overlay, ``image`` stays as it was."""
        self.image = image
        self.wav = work / f"{name}.wav"
        self.console = work / f"{name}.console.log"
        if not snapshot:
            journal_on_console(image, work)
        relay = f"cmd:{sys.executable} {REPO / 'tests' / 'tcp_relay.py'} {broker_port}"
        self.argv = [
            # -cpu max: TCG's every feature (SSE4.2, AVX), which numpy's and onnxruntime's wheels expect.
            need("qemu-system-x86_64"), "-accel", "tcg", "-cpu", "max", "-m", "1024", "-smp", "1", "-nodefaults",
            "-display", "none", "-monitor", "none", "-serial", f"file:{self.console}",
            "-rtc", f"base={rtc},clock=vm", "-no-reboot",
            "-drive", f"file={image},format=raw,if=virtio,cache=writeback{',snapshot=on' if snapshot else ''}",
            "-netdev", f"user,id=n0,restrict=on,guestfwd=tcp:{GUEST_BROKER}:1883-{relay}",
            "-device", "virtio-net-pci,netdev=n0",
            "-audiodev", f"wav,id=snd0,path={self.wav}", "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=open(self.console.with_suffix(".qemu.log"), "wb"))

    def kill(self) -> None:
        """SIGKILL: the guest loses power mid-whatever."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def console_text(self) -> str:
        return self.console.read_text(errors="replace") if self.console.exists() else ""

    def audio_bytes(self) -> int:
        """Bytes of samples recorded so far (the WAV header's sizes are written only at exit)."""
        return max(0, self.wav.stat().st_size - WAV_HEADER) if self.wav.exists() else 0

    def samples(self, start: int = 0, end: int | None = None) -> np.ndarray:
        """Mono int16 samples between two byte offsets of recorded audio."""
        data = self.wav.read_bytes()[WAV_HEADER + start: None if end is None else WAV_HEADER + end]
        data = data[: len(data) // FRAME_BYTES * FRAME_BYTES]
        stereo: np.ndarray = np.frombuffer(data, dtype="<i2").reshape(-1, 2)
        mono: np.ndarray = stereo.mean(axis=1)
        return mono


def journal_on_console(image: Path, work: Path) -> None:
    """Write ``/grub/extra.cfg`` onto ``image``'s FAT partition: GRUB adds journald's forward-to-console."""
    boot_part, _ = disk.boot_and_root(image)
    with tempfile.TemporaryDirectory(prefix="vm-boot-", dir=work) as tmp:
        boot = disk.extract(image, boot_part, Path(tmp) / "boot.vfat")
        extra = Path(tmp) / "extra.cfg"
        extra.write_text('set extra="systemd.journald.forward_to_console=1"\n')
        fat.put(boot, extra, "/grub/extra.cfg")
        subprocess.run(["dd", f"if={boot}", f"of={image}", "bs=1M", f"seek={boot_part.offset}", "oflag=seek_bytes",
                        "conv=notrunc", "status=none"], check=True)


def audible_seconds(samples: np.ndarray, threshold: float = 300.0, window: float = 0.05, rate: int = RATE) -> float:
    """Seconds of 50 ms windows whose RMS is above ``threshold`` (speech, not silence)."""
    size = int(rate * window)
    count = len(samples) // size
    if count == 0:
        return 0.0
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    return float((rms > threshold).sum() * window)


def wait(condition: object, timeout: float, vm: Vm, what: str) -> None:
    """Poll ``condition()`` until true; a failure message carries the guest console's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        if not vm.running():
            break
        time.sleep(0.5)
    if callable(condition) and condition():
        return
    tail = "\n".join(vm.console_text().splitlines()[-40:])
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s; guest console:\n{tail}")


