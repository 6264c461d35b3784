"""A soak speaker: ``shopcrier-node``'s agent with its real store, link and sounddevice player
(into an ALSA file sink), and a fast stand-in TTS through the agent's ``speech`` seam (as
tests/node_agents.py uses it), so 10,000 announcements play in minutes, not hours.

Every sentence the player finished is appended to ``{data_dir}/said.log``: the soak counts
from it how often each announcement was heard.

``python -m tests.soak.speaker --config NODE.toml``
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import numpy as np

from node.agent import Agent
from node.config import load
from node.pcm import Pcm
from node.player import SoundDevicePlayer, make_player
from node.store import Store

RATE = 22050
TONE = (np.sin(np.arange(RATE // 50) * 2 * np.pi * 440 / RATE) * 8000).astype(np.int16)  # 20 ms
SAID_LOG = "said.log"


class ToneSpeech:
    """Each sentence becomes a 20 ms tone; remembers the text it is saying."""

    voice_id = "soak-tone"

    def __init__(self) -> None:
        self.saying = ""

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        self.saying = text
        yield Pcm(TONE, RATE)


class LoggingPlayer:
    """Plays through the real player, then notes what was said (flushed, so a SIGKILL keeps it)."""

    def __init__(self, inner: SoundDevicePlayer, speech: ToneSpeech, log_path: Path) -> None:
        self.inner = inner
        self.speech = speech
        self.log = log_path.open("a", encoding="utf-8")

    @property
    def volume(self) -> int:
        return self.inner.volume

    @volume.setter
    def volume(self, value: int) -> None:
        self.inner.volume = value

    def play(self, pcm: Pcm) -> None:
        self.inner.play(pcm)
        self.log.write(self.speech.saying.replace("\n", " ") + "\n")
        self.log.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak-speaker")
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load(args.config)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    speech = ToneSpeech()
    store = Store.open(settings.data_dir)
    player = LoggingPlayer(make_player(settings), speech, settings.data_dir / SAID_LOG)
    return Agent(settings, store=store, speech=speech, player=player, stop=stop).run()


if __name__ == "__main__":
    sys.exit(main())
