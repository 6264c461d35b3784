"""``shopcrier-hub classify "TEXT"`` / ``--jsonl FILE``: how the rules in the database (and the
learned fallback) recognise messages, one JSON object per message, so admins can test
their rules; ``--evaluate FILE`` scores a labelled file; ``--train`` retrains the model."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.pipeline import Pipeline
from hub.rules import training
from hub.rules.classify import CORRECTION_RULE, MODEL_RULE, detect_language
from hub.rules.evaluation import SCRIPTS, Evaluation, Outcome, script_of
from hub.rules.facts import Facts

EXIT_BAD_LINES = 1


class Command(BaseCommand):
    help = (
        "Classify TEXT, or every line of a JSONL file (objects with content, and optionally type, app, "
        "user, source), with the rules as they are now. Prints one JSON object per message: category, "
        "priority, rule, matched. Bad lines are reported on stderr with their line numbers; the rest "
        "are still classified, and the exit status is 1. Each object says what decided (a rule, a "
        "correction, the model, or the default), with the model's confidence and whether it is marked "
        "for review. --evaluate FILE: accuracy per script, precision and recall per category, a "
        "confusion table and the misses, for a file whose lines have expected_category. --train: "
        "retrain the learned fallback on the shipped corpus and the stored examples now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", help="a message's content")
        parser.add_argument("--jsonl", type=Path, metavar="FILE", help="one JSON object per line; - for stdin")
        parser.add_argument("--type", default="", help="the platform's type field (for --jsonl: when a line has none)")
        parser.add_argument("--app", default="", help="the app it came from (for --jsonl: when a line has none)")
        parser.add_argument("--evaluate", type=Path, metavar="FILE", help="score a labelled JSONL file (expected_category)")
        parser.add_argument(
            "--min-accuracy", type=float, default=0.0, help="with --evaluate: exit 1 when a script scores below this"
        )
        parser.add_argument("--train", action="store_true", help="retrain the learned fallback now and say on what")

    def handle(
        self,
        *args: Any,
        text: str | None,
        jsonl: Path | None,
        type: str,
        app: str,
        evaluate: Path | None,
        min_accuracy: float,
        train: bool,
        **options: Any,
    ) -> None:
        if train:
            trained = training.train()
            self.stdout.write(
                f"trained on {trained.corpus} corpus lines and {trained.examples} stored example(s) "
                f"in {trained.seconds:.3f} s; {len(trained.model.vocabulary)} features"
            )
            if text is None and jsonl is None and evaluate is None:
                return
        if evaluate is not None:
            self.evaluate(evaluate, min_accuracy)
            return
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
            "decided_by": decided_by(found.rule),
            "rule": found.rule,
            "matched": found.matched,
            "confidence": None if found.confidence is None else round(found.confidence, 3),
            "review": found.review,
            **{k: v for k, v in extra.items() if k not in ("line", "id")},
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def evaluate(self, path: Path, min_accuracy: float) -> None:
        pipeline = Pipeline.from_db()
        result = Evaluation()
        bad = 0
        for number, line, problem in read_lines(path, "", ""):
            facts, extra = line
            if not problem and "expected" not in extra:
                problem = 'needs "expected_category": the category it should get'
            if problem:
                bad += 1
                self.stderr.write(f"{path}:{number}: {problem}")
                continue
            found = pipeline.recognition(facts)
            script = facts.raw.get("script") if isinstance(facts.raw.get("script"), str) else script_of(facts.content)
            got = found.category.slug if found.category else ""
            result.add(Outcome(number, facts.content, str(script), extra["expected"], got, found.rule, found.matched))
        for text in result.lines():
            self.stdout.write(text)
        if bad:
            raise CommandError(f"{bad} bad line(s) in {path}; the others were scored", returncode=EXIT_BAD_LINES)
        low = [s for s in SCRIPTS if result.accuracy(s)[1] and result.accuracy(s)[0] < min_accuracy]
        if low:
            raise CommandError(f"below {min_accuracy:.2f} for {', '.join(low)}", returncode=EXIT_BAD_LINES)


def decided_by(rule: str) -> str:
    """What decided, in a word: a rule, an admin's correction, the learned model, or nothing (the default)."""
    return {MODEL_RULE: "model", CORRECTION_RULE: "correction", "default": "default"}.get(rule, "rule")


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
