"""No gaps between sentences: look-ahead synthesis into one open stream, read back from the ALSA file sink."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from mqtt import Receipt
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.pcm import Pcm
from node.player import SoundDevicePlayer, scale
from node.speech import Speech, SpeechError
from node.tts_lookahead import Lookahead
from node.tts_playback import FILL_S, Write, play_sentences
from tests.conftest import AlsaSink
from tests.node_agents import NODE, connect, make_agent, sink_player, speech, step_until
from tests.node_helpers import Observer, announcement, settled_size

__all__ = ["make_agent", "speech"]  # fixtures

RATE = 22050
TWO_ZH = "客户张三提交了订单10023。请及时处理退款申请。"


def tone(seconds: float, freq: float = 440.0) -> Pcm:
    t = np.arange(int(RATE * seconds)) / RATE
    return Pcm((np.cos(2 * np.pi * freq * t) * 12000).astype(np.int16), RATE)


class Counted:
    """Yields ``chunks``, noting how many were taken and whether the generator was closed."""

    def __init__(self, chunks: list[Pcm], fail_at: int | None = None, hold: threading.Event | None = None) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.hold = hold
        self.produced = 0
        self.closed = False

    def __iter__(self) -> Iterator[Pcm]:
        try:
            for n, chunk in enumerate(self.chunks):
                if n == self.fail_at:
                    raise SpeechError(f"voice failed on sentence {n}")
                if n == 1 and self.hold is not None:
                    self.hold.wait(10)
                self.produced += 1
                yield chunk
        finally:
            self.closed = True


class CountingStreams(SoundDevicePlayer):
    """The real player, counting the output streams it opens."""

    def __init__(self) -> None:
        super().__init__(volume=100)
        self.streams = 0

    @contextmanager
    def stream(self, rate: int) -> Iterator[Write]:
        self.streams += 1
        with super().stream(rate) as write:
            yield write


def heard(sink: AlsaSink, before: int) -> np.ndarray:
    return np.frombuffer(sink.read()[before:settled_size(sink)], dtype="<i2").astype(np.int16)


def test_lookahead_keeps_order_and_stays_a_bounded_number_of_sentences_ahead() -> None:
    source = Counted([tone(0.01, 200 + n) for n in range(8)])
    with Lookahead(iter(source), depth=1) as ahead:
        first = ahead.get(None)
        threading.Event().wait(0.3)  # give the worker every chance to run ahead
        ahead_of_consumer = source.produced - 1
        rest = list(ahead)

    assert ahead_of_consumer <= 2  # one waiting in the queue, one made and waiting to be put
    assert [first, *rest] == source.chunks


def test_a_synthesis_error_surfaces_in_order_after_the_sentences_before_it() -> None:
    source = Counted([tone(0.01), tone(0.01), tone(0.01)], fail_at=2)
    got = []
    with Lookahead(iter(source)) as ahead, pytest.raises(SpeechError, match="sentence 2"):
        for chunk in ahead:
            got.append(chunk)

    assert got == source.chunks[:2]


def test_closing_early_stops_the_worker_and_closes_the_generator() -> None:
    source = Counted([tone(0.01) for _ in range(50)])
    ahead = Lookahead(iter(source))
    assert ahead.get(None) is source.chunks[0]

    ahead.close()

    assert source.closed and source.produced < 50
    assert not any(t.name == "tts-lookahead" for t in threading.enumerate())


def test_sentences_of_one_announcement_share_one_stream_with_nothing_between_them(
    alsa_sink: AlsaSink, speech: Speech
) -> None:
    player = CountingStreams()
    player.rescan()
    chunks = list(speech.synthesize(TWO_ZH, "zh"))
    assert len(chunks) == 2
    before = settled_size(alsa_sink)

    assert play_sentences(player, iter(chunks), lambda: True)

    audio = heard(alsa_sink, before)
    joined = np.concatenate([pcm.samples for pcm in chunks])
    assert player.streams == 1
    assert np.array_equal(audio[: joined.size], joined)  # sentence 2 starts on the sample after sentence 1
    assert audio.size - joined.size < RATE // 20  # at most ALSA's padding of the last period


def test_a_sentence_that_is_late_is_waited_for_with_silence_in_the_same_stream(alsa_sink: AlsaSink) -> None:
    player = CountingStreams()
    player.rescan()
    hold = threading.Event()
    first, second = tone(0.05, 300), tone(0.2, 500)
    source = Counted([first, second], hold=hold)
    timer = threading.Timer(0.3, hold.set)  # sentence 2 comes ~0.25 s after sentence 1 has played out
    before = settled_size(alsa_sink)
    timer.start()

    assert play_sentences(player, iter(source), lambda: True)

    audio = heard(alsa_sink, before)
    block = round(RATE * FILL_S)
    start = first.samples.size
    filled = int(np.argmax(audio[start:] != 0))  # the silence written while waiting
    assert player.streams == 1
    assert np.array_equal(audio[:start], first.samples)
    assert filled > 0 and filled % block == 0
    assert np.array_equal(audio[start + filled:start + filled + second.samples.size], second.samples)


def test_a_stop_between_sentences_plays_no_further(alsa_sink: AlsaSink, speech: Speech) -> None:
    player = sink_player()
    chunks = list(speech.synthesize(TWO_ZH, "zh"))
    played = []

    def keep_going() -> bool:
        played.append(True)
        return len(played) < 2  # yes before sentence 1, no after it

    before = settled_size(alsa_sink)
    assert not play_sentences(player, iter(chunks), keep_going)

    audio = heard(alsa_sink, before)
    assert chunks[0].samples.size <= audio.size < chunks[0].samples.size + chunks[1].samples.size // 2


def test_the_player_volume_applies_to_the_stream(alsa_sink: AlsaSink) -> None:
    player = sink_player(volume=50)
    chunk = tone(0.1)
    before = settled_size(alsa_sink)

    assert play_sentences(player, iter([chunk]), lambda: True)

    assert np.array_equal(heard(alsa_sink, before)[: chunk.samples.size], scale(chunk.samples, 50))


def test_a_player_that_cannot_stream_gets_one_play_per_sentence(alsa_sink: AlsaSink) -> None:
    class PlayOnly:
        def __init__(self) -> None:
            self.real = sink_player()
            self.volume = 100
            self.plays: list[Pcm] = []

        def play(self, pcm: Pcm) -> None:
            self.plays.append(pcm)
            self.real.play(pcm)

    player = PlayOnly()
    chunks = [tone(0.05, 300), tone(0.05, 400), tone(0.05, 500)]

    assert play_sentences(player, iter(chunks), lambda: True)

    assert player.plays == chunks


def test_the_agent_plays_an_announcements_sentences_back_to_back(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink, speech: Speech
) -> None:
    player = CountingStreams()
    player.rescan()
    agent = make_agent(player=player)
    connect(agent)
    expected = np.concatenate([pcm.samples for pcm in speech.synthesize(TWO_ZH, "zh")])
    before = settled_size(alsa_sink)
    with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
        observer.announce(announcement("two-1", text=TWO_ZH, lang="zh"))
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "two-1")), 20)

    assert observer.receipts(NODE, "two-1")[0].status == "played"
    assert player.streams == 1
    assert np.array_equal(heard(alsa_sink, before)[: expected.size], expected)
