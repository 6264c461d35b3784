"""Benchmark: the speaker node, announcement received → first sample handed to the device (``make bench``).

In this process: a real Mosquitto, the agent with real piper / espeak-ng, the
real sounddevice → ALSA file sink. The link's inbox stamps the moment paho
hands an announcement over; a player wrapper stamps the first ``play()`` call
for it. Uncached runs use a sentence never said before (after one warm-up, as
a running node is warm); cached runs repeat one. Then piper's real-time factor,
and the node as a subprocess: peak RSS with the voice loaded (VmHWM) and idle
RSS (VmRSS).

Prints figures and targets; asserts only that every announcement was played.
"""

from __future__ import annotations

import queue
import statistics
import threading
import time
from pathlib import Path

import pytest

from mqtt import BrokerSettings, LinkEvent, NodeStatus, Receipt, Received
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.config import NodeSettings
from node.pcm import Pcm
from node.player import SoundDevicePlayer
from node.speech import PiperVoiceEngine, make_speech
from node.store import Store
from tests.conftest import AlsaSink
from tests.node_helpers import ORDERS, Observer, announcement, start_node, write_config
from tests.processes import wait_until

pytestmark = pytest.mark.bench

NODE = "spk-bench"
RUNS = 5
TARGET_UNCACHED_MS = 300
TARGET_CACHED_MS = 30
TARGET_RSS_MB = 250


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
    """The real player, noting when the first chunk of each announcement was handed over."""

    def __init__(self, player: SoundDevicePlayer) -> None:
        self.player = player
        self.firsts: list[float] = []
        self.armed = False

    @property
    def volume(self) -> int:
        return self.player.volume

    @volume.setter
    def volume(self, value: int) -> None:
        self.player.volume = value

    def play(self, pcm: Pcm) -> None:
        if self.armed:
            self.firsts.append(time.perf_counter())
            self.armed = False
        self.player.play(pcm)


def measure(agent: Agent, inbox: StampedInbox, timing: FirstSample, observer: Observer,
            texts: list[tuple[str, str]], tag: str) -> list[float]:
    """Milliseconds from arrival to first sample for each (text, lang), one at a time."""
    latencies = []
    for n, (text, lang) in enumerate(texts):
        announcement_id = f"{tag}-{n}"
        timing.armed = True
        observer.announce(announcement(announcement_id, text=text, lang=lang))
        assert wait_until(lambda: bool(observer.receipts(NODE, announcement_id)), 60, 0.02)
        assert observer.receipts(NODE, announcement_id)[0].status == "played"
        latencies.append((timing.firsts[-1] - inbox.arrived[-1]) * 1000)
    return latencies


def report(label: str, values: list[float], target: float) -> None:
    median = statistics.median(values)
    print(f"  {label:<34} median {median:7.1f} ms  (min {min(values):.1f}, max {max(values):.1f}; "
          f"target ≤ {target} ms, {median / target:.2f}× target)")


def test_bench_first_sample_latency_uncached_and_cached(
    broker: Mosquitto, alsa_sink: AlsaSink, tmp_path: Path
) -> None:
    settings = NodeSettings(id=NODE, broker=BrokerSettings.from_url(broker.url), data_dir=tmp_path / "node",
                            routes=(ORDERS,))
    sound = SoundDevicePlayer(volume=80)
    sound.rescan()
    timing = FirstSample(sound)
    agent = Agent(settings, store=Store.open(settings.data_dir), speech=make_speech(settings), player=timing)
    inbox = StampedInbox()
    agent.link.inbox = inbox
    runner = threading.Thread(target=agent.run)
    with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as observer:
        runner.start()
        assert wait_until(lambda: observer.status(NODE) == b"online", 20)
        measure(agent, inbox, timing, observer, [("Warming up the voice.", "en"), ("预热。", "zh")], "warm")

        en_new = [(f"Order {10023 + n} was placed by customer {n}.", "en") for n in range(RUNS)]
        zh_new = [(f"客户{n}号提交了订单{10023 + n}", "zh") for n in range(RUNS)]
        results = {
            "English, uncached": (measure(agent, inbox, timing, observer, en_new, "en-new"), TARGET_UNCACHED_MS),
            "English, cached": (measure(agent, inbox, timing, observer, [en_new[0]] * RUNS, "en-again"),
                                TARGET_CACHED_MS),
            "Chinese (espeak-ng), uncached": (measure(agent, inbox, timing, observer, zh_new, "zh-new"),
                                              TARGET_UNCACHED_MS),
            "Chinese (espeak-ng), cached": (measure(agent, inbox, timing, observer, [zh_new[0]] * RUNS, "zh-again"),
                                            TARGET_CACHED_MS),
        }
        agent.request_stop()
        runner.join(20)

    print(f"\nnode: announcement received → first sample handed to the device ({RUNS} runs each)")
    for label, (values, target) in results.items():
        report(label, values, target)


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
