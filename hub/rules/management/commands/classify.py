"""``shopcrier-hub classify "TEXT"`` / ``--jsonl FILE``: how the rules in the database
recognise messages, one JSON object per message, so admins can test their rules."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.pipeline import Pipeline
from hub.rules.classify import detect_language
from hub.rules.facts import Facts

EXIT_BAD_LINES = 1


class Command(BaseCommand):
    help = (
        "Classify TEXT, or every line of a JSONL file (objects with content, and optionally type, app, "
        "user, source), with the rules as they are now. Prints one JSON object per message: category, "
        "priority, rule, matched. Bad lines are reported on stderr with their line numbers; the rest "
        "are still classified, and the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", help="a message's content")
        parser.add_argument("--jsonl", type=Path, metavar="FILE", help="one JSON object per line; - for stdin")
        parser.add_argument("--type", default="", help="the platform's type field (for --jsonl: when a line has none)")
        parser.add_argument("--app", default="", help="the app it came from (for --jsonl: when a line has none)")

    def handle(self, *args: Any, text: str | None, jsonl: Path | None, type: str, app: str, **options: Any) -> None:
        if (text is None) == (jsonl is None):
            raise CommandError('give TEXT or --jsonl FILE (one of them): classify "客户张三提交了订单10023"')
        pipeline = Pipeline.from_db()
        if text is not None:
            self.emit(pipeline, Facts(content=text, type=type, app=app, lang=detect_language(text)), {})
            return
        assert jsonl is not None
        bad = 0
        for number, line, problem in read_lines(jsonl, type, app):
            if problem:
                bad += 1
                self.stderr.write(f"{jsonl}:{number}: {problem}")
                continue
            facts, extra = line
            self.emit(pipeline, facts, {"line": number, **extra})
        if bad:
            raise CommandError(f"{bad} bad line(s) in {jsonl}; the others were classified", returncode=EXIT_BAD_LINES)

    def emit(self, pipeline: Pipeline, facts: Facts, extra: dict[str, Any]) -> None:
        found = pipeline.recognition(facts)
        out = {
            **{k: v for k, v in extra.items() if k in ("line", "id")},
            "category": found.category.slug if found.category else None,
            "priority": found.priority,
            "rule": found.rule,
            "matched": found.matched,
            **{k: v for k, v in extra.items() if k not in ("line", "id")},
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))


def read_lines(path: Path, default_type: str, default_app: str) -> Iterator[tuple[int, tuple[Facts, dict[str, Any]], str]]:
    """(line number, (facts, keys to echo), "") per good line; (number, …, the reason) per bad one."""
    empty: tuple[Facts, dict[str, Any]] = (Facts(content=""), {})
    try:
        stream: TextIO = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with stream:
        try:
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                try:
                    yield number, parse_line(raw, default_type, default_app), ""
                except ValueError as exc:
                    yield number, empty, str(exc)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 ({exc.reason})") from None


def parse_line(raw: str, default_type: str = "", default_app: str = "") -> tuple[Facts, dict[str, Any]]:
    """A JSONL line as facts, and what to echo (``id``; ``expected`` from ``expected_category``)."""
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(item, dict):
        raise ValueError(f"must be a JSON object, not {type(item).__name__}")
    content = item.get("content")
    if not isinstance(content, str) or not content.strip():
        raise ValueError('needs "content": a non-empty string')
    user = item.get("user")
    user_name = user.get("name") if isinstance(user, dict) else user
    facts = Facts(
        content=content,
        type=_text(item.get("type")) or default_type,
        app=_text(item.get("app")) or default_app,
        source=_text(item.get("source")),
        user=_text(user_name),
        lang=detect_language(content),
        raw=item,
    )
    echo: dict[str, Any] = {}
    if "id" in item:
        echo["id"] = item["id"]
    if isinstance(item.get("expected_category"), str):
        echo["expected"] = item["expected_category"]
    return facts, echo


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
