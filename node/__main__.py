"""``shopcrier-node``: run one speaker node from its TOML config.

Exit status: 0 after SIGTERM/SIGINT (current sentence finished, ``offline``
published), 1 when the node cannot start, 2 for a bad config file.

``shopcrier-node say "TEXT" ...`` says one text without a broker instead
(:mod:`node.tts_say`).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from peewee import DatabaseError

from . import tts_say
from .agent import build_agent
from .config import DEFAULT_PATH, ConfigError, load
from .speech import SpeechError
from .version import version_line

# Not __name__: that is "__main__" under `python -m node`.
log = logging.getLogger("node.__main__")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="shopcrier-node", description="ShopCrier speaker node agent",
        epilog='shopcrier-node say "TEXT" [--lang zh|en] [--show] [--wav FILE]: hear a text as this speaker would '
               "say it, without a broker (see shopcrier-node say --help)")
    parser.add_argument("--config", default=str(DEFAULT_PATH), metavar="PATH",
                        help=f"the node's TOML config (default {DEFAULT_PATH})")
    parser.add_argument("--version", action="version", version=version_line("shopcrier-node"),
                        help="print ShopCrier's version and exit")
    parser.add_argument("--log-level", default="INFO", type=str.upper, choices=LOG_LEVELS,
                        help="default INFO")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["say"]:
        return tts_say.main(arguments[1:])
    args = parse_args(arguments)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load(args.config)
    except ConfigError as exc:
        print(f"shopcrier-node: {exc}", file=sys.stderr)
        return 2

    # Handlers go in before the slow start (voices load), so an early SIGTERM
    # is a clean stop too.
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("%s: stopping after the current sentence", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        agent = build_agent(settings, stop=stop, config_path=Path(args.config))
    except (OSError, DatabaseError, SpeechError) as exc:
        log.error("cannot start node %s: %s", settings.id, exc)
        return 1
    return agent.run()


if __name__ == "__main__":
    sys.exit(main())
