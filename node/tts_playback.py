"""Speech played sentence after sentence with no gap: look-ahead synthesis into one open stream.

The next sentence is synthesised (:class:`~node.tts_lookahead.Lookahead`)
while the current one plays, and a player that can keep a stream open
(:class:`StreamingPlayer`, the real sounddevice one) gets every sentence of
the announcement through that one stream. Should a sentence not be ready by
the time the audio before it runs out (a slow board, a long sentence after a
short one), the stream is fed silence in small blocks meanwhile: a device
that runs dry clicks and restarts, silence does not. The silence written is
then exactly the gap a listener hears, which is what the benchmark reads
back from the ALSA file sink.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .pcm import Pcm
from .player import Player
from .tts_lookahead import DEPTH, Lookahead

log = logging.getLogger(__name__)

FILL_S = 0.01  # one block of silence while the next sentence is not ready
MARGIN_S = 0.02  # write silence when less than this much audio is left queued

Write = Callable[[npt.NDArray[np.int16]], None]


@runtime_checkable
class StreamingPlayer(Player, Protocol):
    def stream(self, rate: int) -> AbstractContextManager[Write]:
        """An open output stream at ``rate``; see :meth:`node.player.SoundDevicePlayer.stream`."""
        ...


def play_sentences(player: Player, chunks: Iterator[Pcm], keep_going: Callable[[], bool], *,
                   depth: int = DEPTH, clock: Callable[[], float] = time.monotonic) -> bool:
    """Play every chunk in order; False when ``keep_going()`` turned false between two of them.

    Synthesis runs ``depth`` chunks ahead of playback. A player without
    :meth:`StreamingPlayer.stream` gets one :meth:`~node.player.Player.play`
    per chunk. Raises what synthesis or the player raises (SpeechError,
    AudioError), after stopping the look-ahead.
    """
    with Lookahead(chunks, depth) as ahead:
        if not isinstance(player, StreamingPlayer):
            for pcm in ahead:
                if not keep_going():
                    return False
                player.play(pcm)
            return True
        return _stream(player, ahead, keep_going, clock)


def _stream(player: StreamingPlayer, ahead: Lookahead, keep_going: Callable[[], bool],
            clock: Callable[[], float]) -> bool:
    """One stream per run of chunks at the same rate (in practice: one per announcement)."""
    try:
        pcm: Pcm | None = ahead.get(None)
    except StopIteration:
        return True
    while pcm is not None:
        if not keep_going():
            return False
        pcm, stopped = _play_run(player, pcm, ahead, keep_going, clock)
        if stopped:
            return False
    return True


def _play_run(player: StreamingPlayer, first: Pcm, ahead: Lookahead, keep_going: Callable[[], bool],
              clock: Callable[[], float]) -> tuple[Pcm | None, bool]:
    """Write ``first`` and what follows at its rate.

    Returns (the first chunk at another rate, or None at the end; whether ``keep_going`` stopped it).
    """
    rate = first.rate
    silence = np.zeros(max(1, round(rate * FILL_S)), dtype=np.int16)
    with player.stream(rate) as write:
        ends_at = clock()  # when the audio written so far will have played (on a device that paces)
        pcm: Pcm | None = first
        while pcm is not None:
            if pcm.rate != rate:
                return pcm, False
            write(pcm.samples)
            ends_at = max(ends_at, clock()) + pcm.seconds
            pcm = None
            while pcm is None:
                if not keep_going():
                    return None, True
                try:
                    pcm = ahead.get(max(0.0, ends_at - clock() - MARGIN_S))
                except StopIteration:
                    return None, False
                if pcm is None:  # not ready and the audio runs out: keep the device fed
                    write(silence)
                    ends_at = max(ends_at, clock()) + FILL_S
    return None, False
