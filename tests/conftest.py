"""Shared fixtures: a private Mosquitto, an ALSA sink whose bytes can be read back."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

# The hub's settings read this at import; tests never touch ./var.
os.environ.setdefault("SHOPCRIER_DATA_DIR", tempfile.mkdtemp(prefix="shopcrier-test-"))

import pytest  # noqa: E402

from hub.simulator.__main__ import load_jsonl  # noqa: E402
from hub.simulator.server import Feed, SimulatorServer  # noqa: E402
from mqtt.broker import BrokerConfig, Mosquitto, free_port  # noqa: E402
from tests.paths import SAMPLES  # noqa: E402

pytest_plugins = ["tests.clock_guard"]  # a test touching dates or time zones must be marked `clock`



@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A private mosquitto on a free loopback port, with persistence in tmp_path.

    A missing mosquitto fails loudly with the install hint (BrokerError).
    """
    mosquitto = Mosquitto(BrokerConfig(port=free_port(), data_dir=tmp_path / "broker"))
    mosquitto.start()
    try:
        yield mosquitto
    finally:
        mosquitto.stop()


class AlsaSink:
    """ALSA's default PCM pointed at the `file` plugin, appending raw frames to ``path``.

    Set ``env`` (HOME with the .asoundrc) on any process whose audio should land
    there; the real sounddevice → PortAudio → ALSA path runs.
    """

    def __init__(self, home: Path) -> None:
        self.home = home
        self.path = home / "audio.raw"
        home.mkdir(parents=True, exist_ok=True)
        (home / ".asoundrc").write_text(
            "pcm.!default {\n"
            "  type file\n"
            '  slave.pcm "null"\n'
            # a pipe appends, so each stream the player opens adds to the same file
            f'  file "| cat >> {self.path}"\n'
            '  format "raw"\n'
            "}\n"
        )
        self.path.touch()

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.home)}

    def size(self) -> int:
        return self.path.stat().st_size

    def read(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture
def alsa_sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AlsaSink:
    """Points this process's (and its children's) ALSA default at a file."""
    sink = AlsaSink(tmp_path / "home")
    monkeypatch.setenv("HOME", str(sink.home))
    return sink


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    """The simulated platform on a free port, serving the labelled samples."""
    feed = Feed()
    load_jsonl(SAMPLES, feed)
    server = SimulatorServer(("127.0.0.1", 0), feed)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
