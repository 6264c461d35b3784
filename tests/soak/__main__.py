"""``python -m tests.soak [--messages N] [--rate R] [--faults F] [--postgres] [--poison all] [--forgetful-broker]``: run the
fault soak and print its table. Exit status 1 when anything was lost, played twice or not stored."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from .run import Soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="good messages a second (default 50)")
    parser.add_argument("--faults", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="the hub on a fresh PostgreSQL database")
    parser.add_argument("--poison", choices=("handled", "all"), default="handled",
                        help="all: also the items issue 16 found to block a source (NUL, overflowing times)")
    parser.add_argument("--forgetful-broker", action="store_true",
                        help="the broker never autosaves: a SIGKILL loses all it holds (the worst case)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep logs and stores here")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="shopcrier-soak-"))
    print(f"soak: {args.messages:,} messages at {args.rate}/s, {args.faults} faults; logs in {workdir}", flush=True)
    if args.postgres:
        from tests.postgres import postgres_database

        with postgres_database("shopcrier_soak") as url:
            result = Soak(workdir, args.messages, args.rate, args.faults, database_url=url,
                          blocking_poison=args.poison == "all", forgetful_broker=args.forgetful_broker).run()
    else:
        result = Soak(workdir, args.messages, args.rate, args.faults, blocking_poison=args.poison == "all",
                      forgetful_broker=args.forgetful_broker).run()
    print(result.report())
    bad = any(r.lost or r.twice for r in result.rows) or result.stored != result.sent or result.duplicates
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
