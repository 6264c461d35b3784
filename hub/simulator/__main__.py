"""``python -m hub.simulator``: run the demo platform."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from pathlib import Path

from .generator import Generator
from .server import Feed, SimulatorServer

log = logging.getLogger("hub.simulator")


def load_jsonl(path: Path, feed: Feed) -> int:
    """Add each line of ``path`` as a message; a bad line is reported and skipped, the rest kept."""
    count = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            log.warning("%s:%d is not JSON (%s); skipped", path, number, exc.msg)
            continue
        if not isinstance(item, dict):
            log.warning("%s:%d is not an object; skipped", path, number)
            continue
        feed.add(item)
        count += 1
    return count


def generate(feed: Feed, rate: float, stop: threading.Event, seed: int | None) -> None:
    generator = Generator(seed)
    while not stop.wait(1.0 / rate):
        feed.add(generator.one())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--jsonl", type=Path, action="append", default=[], help="serve these messages first")
    parser.add_argument("--rate", type=float, default=0.0, help="then generate this many messages a second")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    feed = Feed()
    for path in args.jsonl:
        log.info("loaded %d messages from %s", load_jsonl(path, feed), path)
    server = SimulatorServer((args.host, args.port), feed)
    stop = threading.Event()
    if args.rate > 0:
        threading.Thread(target=generate, args=(feed, args.rate, stop, args.seed), daemon=True).start()
    log.info("simulated platform at %s", server.url)
    print(f"ready {server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
