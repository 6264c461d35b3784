#!/usr/bin/env python3
"""``make demo``: the whole chain on this machine, with two speakers.

Starts a private Mosquitto, the simulated shop platform (the labelled samples,
then a generated message every few seconds), the hub (workers, and the
dashboard served by daphne) and two speaker nodes, and prints where to look
and the demo logins (an admin, one staff login per department). On a machine
without a sound card the speakers write through ALSA's file plugin, and WAV
files are left in var/demo/audio/ when the demo stops. Ctrl-C stops everything.

Data (messages, logins, speakers' stores) is kept between runs; ``--reset``
starts from nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import socket
import textwrap
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mqtt.broker import BrokerConfig, Mosquitto, free_port, wait_listening  # noqa: E402

# where the demo keeps its data between runs (SHOPCRIER_DEMO_DIR: elsewhere, as the tests do)
DATA = Path(os.environ.get("SHOPCRIER_DEMO_DIR", "")).resolve() if os.environ.get("SHOPCRIER_DEMO_DIR") else REPO / "var" / "demo"
SAMPLES = REPO / "hub" / "simulator" / "samples.jsonl"
RATE = 22050  # the bundled piper voice and espeak-ng both speak at 22.05 kHz
SPEAKERS: dict[str, list[tuple[str, str, str | None]]] = {
    "spk-orders-1": [("ops", "orders", None), ("ops", "service", None)],
    "spk-finance-1": [("ops", "finance", None), ("ops", "finance", "003"), ("ops", "tech", None)],
}


# The demo speakers in the registry, so the dashboard's fleet page lists them (idempotent).
REGISTER_SPEAKERS = """
from hub.org.models import Department, SpeakerNode
for node_id, dept in (("spk-orders-1", "orders"), ("spk-finance-1", "finance")):
    SpeakerNode.objects.get_or_create(node_id=node_id, defaults={"department": Department.objects.get(slug=dept)})
"""


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def has_sound_card() -> bool:
    cards = Path("/proc/asound/cards")
    return cards.exists() and "no soundcards" not in cards.read_text()


def node_config(node_id: str, broker_url: str, routes: list[tuple[str, str, str | None]]) -> Path:
    lines = [f'id = "{node_id}"', f'broker = "{broker_url}"', f'data_dir = "{DATA / node_id}"', "heartbeat_interval = 15"]
    for subsystem, department, staff in routes:
        lines += ["", "[[routes]]", f'subsystem = "{subsystem}"', f'department = "{department}"']
        if staff:
            lines.append(f'staff = "{staff}"')
    path = DATA / f"{node_id}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def file_sink_home(node_id: str) -> Path:
    """A HOME whose .asoundrc sends the default PCM to a raw file."""
    home = DATA / "homes" / node_id
    home.mkdir(parents=True, exist_ok=True)
    raw = DATA / "audio" / f"{node_id}.raw"
    raw.parent.mkdir(parents=True, exist_ok=True)
    (home / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "| cat >> {raw}"\n  format "raw"\n}}\n'
    )
    return raw


def raw_to_wav(raw: Path) -> Path | None:
    if not raw.exists() or raw.stat().st_size == 0:
        return None
    path = raw.with_suffix(".wav")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(raw.read_bytes())
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0, help="stop by itself after this long (0: run until Ctrl-C)")
    parser.add_argument("--rate", type=float, default=0.2, help="generated messages a second after the samples")
    parser.add_argument("--reset", action="store_true", help="forget everything from earlier runs first")
    parser.add_argument("--port", type=int, default=8000, help="the dashboard's port (a free one if taken)")
    args = parser.parse_args()

    if args.reset:
        shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(DATA / "logs", ignore_errors=True)
    bin_dir = Path(sys.executable).parent
    broker = Mosquitto(BrokerConfig(port=free_port(), data_dir=DATA / "broker"))
    broker.start()
    web_port, sim_port = (args.port if port_is_free(args.port) else free_port()), free_port()
    env = {
        **os.environ,
        "SHOPCRIER_DATA_DIR": str(DATA / "hub"),
        "SHOPCRIER_MQTT_URL": broker.url,
        "SHOPCRIER_PUBLIC_URL": f"http://127.0.0.1:{web_port}",  # speakers fetch prompt sounds here
        "PYTHONUNBUFFERED": "1",
    }
    hub = [str(bin_dir / "shopcrier-hub")]
    subprocess.run([*hub, "migrate", "-v0"], env=env, check=True)
    sim_url = f"http://127.0.0.1:{sim_port}/api/messages"
    subprocess.run([*hub, "source", "demo-shop", "--adapter", "simulator", "--url", sim_url, "--interval", "2s"], env=env, check=True)
    subprocess.run([*hub, "shell", "-v0", "-c", REGISTER_SPEAKERS], env=env, check=True)
    logins = subprocess.run([*hub, "demo_logins"], env=env, check=True, capture_output=True, text=True).stdout

    logs = DATA / "logs"
    logs.mkdir()
    children: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, argv: list[str], child_env: dict[str, str]) -> None:
        children[name] = subprocess.Popen(argv, env=child_env, stdout=(logs / f"{name}.log").open("wb"), stderr=subprocess.STDOUT)

    audible = has_sound_card()
    sinks: list[Path] = []
    for node_id, routes in SPEAKERS.items():
        node_env = dict(env)
        if not audible:
            sinks.append(file_sink_home(node_id))
            node_env["HOME"] = str(DATA / "homes" / node_id)
        start(node_id, [str(bin_dir / "shopcrier-node"), "--config", str(node_config(node_id, broker.url, routes))], node_env)
    time.sleep(2)  # let the speakers' sessions exist before the first announcement
    start("simulator", [sys.executable, "-m", "hub.simulator", "--port", str(sim_port), "--jsonl", str(SAMPLES), "--rate", str(args.rate)], env)
    start("hub", [*hub, "run"], env)
    start("web", [*hub, "serve", f"127.0.0.1:{web_port}"], env)
    wait_listening("127.0.0.1", web_port, 60)

    print(
        f"""
ShopCrier demo is running.
  platform simulator  {sim_url}
  broker              {broker.url}   watch it:  mosquitto_sub -p {broker.config.port} -t 'shopcrier/#' -v
  dashboard           http://127.0.0.1:{web_port}/   (Django admin: /admin/, health: /healthz)
  logins (user, password, who):
{textwrap.indent(logins.rstrip(), "    ")}
  speakers            {', '.join(SPEAKERS)}: {'playing on this sound card' if audible else 'no sound card, writing ' + str(DATA / 'audio')}
  logs                {logs}/
Ctrl-C stops everything.""",
        flush=True,
    )
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    while not stopping and (deadline is None or time.monotonic() < deadline):
        dead = [name for name, p in children.items() if p.poll() is not None]
        if dead:
            print(f"{', '.join(dead)} stopped unexpectedly; see {logs}/", file=sys.stderr)
            break
        time.sleep(0.5)

    for p in children.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in children.values():
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
    broker.stop()
    for raw in sinks:
        wav = raw_to_wav(raw)
        if wav:
            print(f"spoken audio: {wav} ({raw.stat().st_size / 2 / RATE:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
