from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.confio.dump import dump_config
from hub.confio.errors import DumpError


class Command(BaseCommand):
    help = "Write the hub's configuration as TOML (the shape `load` reads) to stdout or a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="write here (replaced whole, never half-written)")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        try:
            text = dump_config()
        except DumpError as exc:
            raise CommandError(str(exc)) from None
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            write_atomically(output, text)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from None
        self.stderr.write(f"wrote {output}")


def write_atomically(path: Path, text: str) -> None:
    """A reader sees the old file or the new one, never a part."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
