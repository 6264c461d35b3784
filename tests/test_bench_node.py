"""Benchmark: the speaker node, announcement received → first sample handed to the device (``make bench``).

In this process: a real Mosquitto, the agent with real piper / espeak-ng, the
real sounddevice → ALSA file sink. The link's inbox stamps the moment paho
hands an announcement over; a player wrapper stamps the first ``play()`` call
(or first write into an open stream) for it. Uncached runs use a sentence
never said before (after one warm-up, as a running node is warm); cached runs
repeat one. Each figure is measured twice in the same run: for the playback
path of today (look-ahead synthesis into one open stream) and for the
baseline it replaced (each sentence synthesised, then played in a stream of
its own: :class:`SequentialAgent`).

Then the silence between two sentences of one announcement, for both paths;
piper's real-time factor; and the node as a subprocess: peak RSS with the
voice loaded (VmHWM) and idle RSS (VmRSS).

Prints figures and targets; asserts only that every announcement was played.
"""

from __future__ import annotations

import queue
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from mqtt import BrokerSettings, LinkEvent, NodeStatus, Receipt, Received
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.config import NodeSettings
from node.pcm import Pcm
from node.player import SoundDevicePlayer
from node.speech import PiperVoiceEngine, Speech, make_speech
from node.store import Store
from node.tts_playback import FILL_S, Write
from tests.conftest import AlsaSink
from tests.node_helpers import ORDERS, Observer, announcement, settled_size, start_node, write_config
from tests.processes import wait_until

pytestmark = pytest.mark.bench

NODE = "spk-bench"
RUNS = 5
TARGET_UNCACHED_MS = 300
TARGET_CACHED_MS = 30
TARGET_RSS_MB = 250
TARGET_SILENCE_MS = 50
QUIET = 200  # |sample| at or below this counts as silence (int16; the voices' noise floor is far below)


class SequentialAgent(Agent):
    """The agent with the playback path this branch replaced, as the baseline: synthesise one
    sentence, play it in an output stream of its own, then synthesise the next."""

    def speak(self, text: str, lang: str) -> bool:
        for pcm in self.speech.synthesize(text, lang):
            if self._stop.is_set():
                return False
            self.player.play(pcm)
        return True


class StampedInbox(queue.Queue[LinkEvent]):
    """The link's inbox, noting when each announcement arrived from paho."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []

    def put(self, item: LinkEvent, block: bool = True, timeout: float | None = None) -> None:
        if isinstance(item, Received) and "/announce/" in item.topic:
            self.arrived.append(time.perf_counter())
        super().put(item, block, timeout)


class FirstSample:
    """The real player, noting when the first samples of each announcement were handed over
    (a ``play()`` or the first write into an open stream), and when each ``play()`` began and ended."""

    def __init__(self, player: SoundDevicePlayer) -> None:
        self.player = player
        self.firsts: list[float] = []
        self.plays: list[tuple[float, float]] = []
        self.armed = False

    @property
    def volume(self) -> int:
        return self.player.volume

    @volume.setter
    def volume(self, value: int) -> None:
        self.player.volume = value

    def _stamp(self) -> None:
        if self.armed:
            self.firsts.append(time.perf_counter())
            self.armed = False

    def play(self, pcm: Pcm) -> None:
        began = time.perf_counter()
        self._stamp()
        self.player.play(pcm)
        self.plays.append((began, time.perf_counter()))

    @contextmanager
    def stream(self, rate: int) -> Iterator[Write]:
        with self.player.stream(rate) as write:
            def stamped(samples: npt.NDArray[np.int16]) -> None:
                self._stamp()
                write(samples)

            yield stamped


class RecordingSpeech(Speech):
    """The node's real speech, keeping the chunks it hands to the player."""

    def __init__(self, speech: Speech) -> None:
        super().__init__(speech.voices, speech.fallback, speech.catalogue, speech.cache)
        self.chunks: list[Pcm] = []

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        for pcm in super().synthesize(text, lang):
            self.chunks.append(pcm)
            yield pcm


def measure(agent: Agent, inbox: StampedInbox, timing: FirstSample, observer: Observer,
            texts: list[tuple[str, str]], tag: str) -> list[float]:
    """Milliseconds from arrival to first sample for each (text, lang), one at a time."""
    latencies = []
    node = agent.settings.id
    for n, (text, lang) in enumerate(texts):
        announcement_id = f"{tag}-{n}"
        timing.armed = True
        observer.announce(announcement(announcement_id, text=text, lang=lang))
        assert wait_until(lambda: bool(observer.receipts(node, announcement_id)), 60, 0.02)
        assert observer.receipts(node, announcement_id)[0].status == "played"
        latencies.append((timing.firsts[-1] - inbox.arrived[-1]) * 1000)
    return latencies


def report(label: str, values: list[float], target: float, baseline: list[float] | None = None) -> None:
    median = statistics.median(values)
    line = (f"  {label:<34} median {median:7.1f} ms  (min {min(values):.1f}, max {max(values):.1f}; "
            f"target ≤ {target} ms, {median / target:.2f}× target)")
    if baseline is not None:
        line += f"  baseline {statistics.median(baseline):7.1f} ms"
    print(line)


def latencies(agent_type: type[Agent], broker: Mosquitto, data_dir: Path, node: str,
              first: int) -> dict[str, list[float]]:
    """Arrival → first sample on one agent: en/zh, uncached (sentences numbered from ``first``) and cached."""
    settings = NodeSettings(id=node, broker=BrokerSettings.from_url(broker.url), data_dir=data_dir, routes=(ORDERS,))
    sound = SoundDevicePlayer(volume=80)
    sound.rescan()
    timing = FirstSample(sound)
    agent = agent_type(settings, store=Store.open(settings.data_dir), speech=make_speech(settings), player=timing)
    inbox = StampedInbox()
    agent.link.inbox = inbox
    runner = threading.Thread(target=agent.run)
    with Observer(broker.url, Receipt.topic(node_id=node), NodeStatus.topic(node_id=node)) as observer:
        runner.start()
        assert wait_until(lambda: observer.status(node) == b"online", 20)
        measure(agent, inbox, timing, observer, [("Warming up the voice.", "en"), ("预热。", "zh")], "warm")
        en_new = [(f"Order {first + n} was placed by customer {n}.", "en") for n in range(RUNS)]
        zh_new = [(f"客户{n}号提交了订单{first + n}", "zh") for n in range(RUNS)]
        results = {
            "English, uncached": measure(agent, inbox, timing, observer, en_new, "en-new"),
            "English, cached": measure(agent, inbox, timing, observer, [en_new[0]] * RUNS, "en-again"),
            "Chinese (espeak-ng), uncached": measure(agent, inbox, timing, observer, zh_new, "zh-new"),
            "Chinese (espeak-ng), cached": measure(agent, inbox, timing, observer, [zh_new[0]] * RUNS, "zh-again"),
        }
        agent.request_stop()
        runner.join(20)
    return results


def test_bench_first_sample_latency_uncached_and_cached(
    broker: Mosquitto, alsa_sink: AlsaSink, tmp_path: Path
) -> None:
    baseline = latencies(SequentialAgent, broker, tmp_path / "base", NODE + "-base", 20023)
    results = latencies(Agent, broker, tmp_path / "node", NODE, 10023)

    print(f"\nnode: announcement received → first sample handed to the device ({RUNS} runs each; "
          "baseline: synthesise-then-play, a stream per sentence)")
    for label, values in results.items():
        report(label, values, TARGET_CACHED_MS if "cached" in label and "un" not in label else TARGET_UNCACHED_MS,
               baseline[label])


def quiet_run(samples: npt.NDArray[np.int16], at: int) -> int:
    """The number of quiet samples around index ``at`` (the run of |x| ≤ QUIET that holds or touches it)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > QUIET)
    before, after = loud[loud < at], loud[loud >= at]
    start = int(before[-1]) + 1 if before.size else 0
    end = int(after[0]) if after.size else samples.size
    return end - start


def two_sentences(n: int) -> dict[str, tuple[str, str]]:
    """Two sentences, both new for each ``n`` (a second sentence said before would come from the cache)."""
    return {
        "English": (f"Order {30000 + n} was placed by customer {n}. Please call customer {n} back today.", "en"),
        "Chinese": (f"客户{n}号提交了订单{30000 + n}。请在{n + 10}分钟内处理退款申请。", "zh"),
    }


def silences(agent: Agent, speech: RecordingSpeech, timing: FirstSample, sink: AlsaSink,
             text: str, lang: str) -> tuple[float, float]:
    """(silence heard between the two sentences, of which the pipeline's own gap), in ms, for one announcement.

    The silence heard is read from the sink: the quiet run where sentence 1
    ends. For a player that writes every sentence into one stream that is
    exact (a late sentence is waited for with silence written into the
    stream). The baseline writes nothing while it synthesises, and a real
    device is silent then: its play() returns once sentence 1 has drained,
    so the wall time between the two plays is added to the quiet run.
    """
    speech.chunks.clear()
    timing.plays.clear()
    before = settled_size(sink)
    assert agent.speak(text, lang)
    heard = np.frombuffer(sink.read()[before:settled_size(sink)], dtype="<i2").astype(np.int16)
    first, second = speech.chunks
    rate = first.rate
    end1 = first.samples.size
    assert np.array_equal(heard[:end1], first.samples)
    natural = quiet_run(np.concatenate([first.samples, second.samples]), end1)
    if isinstance(agent, SequentialAgent):
        gap_s = timing.plays[1][0] - timing.plays[0][1]
        return (natural / rate + gap_s) * 1000, gap_s * 1000
    inserted = next(k for k in range(0, heard.size, round(rate * FILL_S))
                    if np.array_equal(heard[end1 + k:end1 + k + second.samples.size], second.samples))
    return quiet_run(heard, end1) / rate * 1000, inserted / rate * 1000


def test_bench_silence_between_two_sentences(broker: Mosquitto, alsa_sink: AlsaSink, tmp_path: Path) -> None:
    figures: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for path, agent_type in (("baseline", SequentialAgent), ("gapless", Agent)):
        settings = NodeSettings(id=f"{NODE}-{path}", broker=BrokerSettings.from_url(broker.url),
                                data_dir=tmp_path / path)
        sound = SoundDevicePlayer(volume=100)
        sound.rescan()
        timing = FirstSample(sound)
        speech = RecordingSpeech(make_speech(settings))
        agent = agent_type(settings, store=Store.open(settings.data_dir), speech=speech, player=timing)
        try:
            agent.speak("Warming up. The voice.", "en")
            for lang_name in ("English", "Chinese"):
                new = [two_sentences(n)[lang_name] for n in range(RUNS)]
                figures.setdefault(f"{lang_name}, uncached", {})[path] = [
                    silences(agent, speech, timing, alsa_sink, *item) for item in new]
                figures.setdefault(f"{lang_name}, cached", {})[path] = [
                    silences(agent, speech, timing, alsa_sink, *new[0]) for _ in range(RUNS)]
        finally:
            agent.shutdown()

    print(f"\nnode: silence between two sentences of one announcement ({RUNS} runs each, medians; "
          f"target ≤ {TARGET_SILENCE_MS} ms added by the pipeline; the rest is the voice's own pause)")
    for label, paths in figures.items():
        heard, gap = (statistics.median(v) for v in zip(*paths["gapless"]))
        base_heard, base_gap = (statistics.median(v) for v in zip(*paths["baseline"]))
        print(f"  {label:<18} gapless: gap {gap:6.1f} ms, silence heard {heard:6.1f} ms  |  "
              f"baseline: gap {base_gap:6.1f} ms, silence heard {base_heard:6.1f} ms  "
              f"(target gap ≤ {TARGET_SILENCE_MS} ms, {gap / TARGET_SILENCE_MS:.2f}× target)")


def test_bench_piper_real_time_factor() -> None:
    voice = PiperVoiceEngine.bundled()
    list(voice.synthesize("Warm up.", "en"))
    sentences = ["Customer Zhang placed order 10023.", "A refund request is waiting for review.",
                 "Please check the finance dashboard now."]
    started = time.perf_counter()
    audio_s = sum(pcm.seconds for text in sentences for pcm in voice.synthesize(text, "en"))
    synth_s = time.perf_counter() - started

    print(f"\npiper ({voice.model_path.name}): {synth_s:.2f} s to synthesise {audio_s:.2f} s of audio, "
          f"real-time factor {synth_s / audio_s:.3f}")


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{key} not in /proc/{pid}/status")


def test_bench_node_memory(broker: Mosquitto, alsa_sink: AlsaSink, tmp_path: Path) -> None:
    config = write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, data_dir="node-data")
    with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as observer:
        node = start_node(config, alsa_sink, tmp_path)
        try:
            assert wait_until(lambda: observer.status(NODE) == b"online", 60, 0.05), node.log()[-2000:]
            observer.announce(announcement("mem-en", text="Order 10023 was placed."))
            observer.announce(announcement("mem-zh", text="客户张三提交了订单10023", lang="zh"))
            assert observer.wait_receipt(NODE, "mem-zh", 60).status == "played"
            time.sleep(2)  # idle
            pid = node.process.pid
            peak_mb, idle_mb = _status_kb(pid, "VmHWM") / 1024, _status_kb(pid, "VmRSS") / 1024
        finally:
            node.terminate()

    print(f"\nnode process: peak RSS {peak_mb:.0f} MB with the voice loaded (target ≤ {TARGET_RSS_MB} MB, "
          f"{peak_mb / TARGET_RSS_MB:.2f}× target), idle RSS {idle_mb:.0f} MB")
