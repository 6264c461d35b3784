"""The one value check: each kind of value a table cannot hold is named, with its field; good ones pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub import storable
from hub.intake.models import Message, Source
from hub.monitor.models import NodeHealth
from hub.outbox.models import Receipt

MINUS_14 = timezone(timedelta(hours=-14))
PLUS_14 = timezone(timedelta(hours=14))


def receipt(**fields: object) -> Receipt:
    values: dict[str, object] = {
        "announcement_id": "a1", "node_id": "spk-1", "status": "played", "at": datetime(2026, 11, 25, tzinfo=UTC),
    }
    return Receipt(**{**values, **fields})


def message(**fields: object) -> Message:
    return Message(**{"source": Source(name="shop"), "dedup_key": "id:1", "content": "客户张三提交了订单10023", **fields})


def test_a_good_receipt_and_a_good_message_pass() -> None:
    assert storable.problem(receipt(detail="played in full")) == ""
    assert storable.problem(message(raw={"id": 1, "user": {"name": "张三"}, "amount": 3000.5})) == ""


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"detail": "bad\x00byte"}, "detail holds a NUL character at position 3"),
        ({"detail": "lone \ud800 half"}, "detail holds an unpaired surrogate (\\ud800) at position 5"),
        ({"node_id": "n" * 65}, "node_id is 65 characters long (the column holds 64)"),
        ({"at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14)}, "at 9999-12-31T23:59:59-14:00 falls outside the years 1..9999 in UTC"),
        ({"at": datetime(1, 1, 1, tzinfo=PLUS_14)}, "at 0001-01-01T00:00:00+14:00 falls outside the years 1..9999 in UTC"),
        ({"at": datetime(9999, 12, 31, 12, tzinfo=UTC)}, "too close to the ends of the calendar"),
    ],
)
def test_a_receipt_the_table_cannot_hold_is_named_by_its_field(fields: dict[str, object], expected: str) -> None:
    assert expected in storable.problem(receipt(**fields))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"content": "a\x00b"}, "raw.content holds a NUL character"),
        ({"bad\x00key": 1}, "a key in raw holds a NUL character"),
        ({"items": [1, {"x": "\udce9"}]}, "raw.items.1.x holds an unpaired surrogate"),
        ({"amount": float("nan")}, "raw.amount is nan, which JSON cannot hold"),
    ],
)
def test_json_that_postgresql_refuses_is_named_down_to_the_key(raw: dict[str, object], expected: str) -> None:
    assert expected in storable.problem(message(raw=raw))


def test_an_id_with_its_type_too_long_for_the_dedup_key_column_is_caught() -> None:
    limit = storable.max_length(Message, "dedup_key")
    assert limit is not None
    assert storable.problem(message(dedup_key="id:" + "x" * 200 + ":order.created")) == (
        f"dedup_key is {3 + 200 + 14} characters long (the column holds {limit})"
    )


def test_integers_are_held_to_the_column_range_of_the_database() -> None:
    assert storable.problem(NodeHealth(node_id="spk-1", interval_s=2**31 - 1)) == ""
    assert "interval_s 2147483648 is outside the column's range" in storable.problem(NodeHealth(node_id="spk-1", interval_s=2**31))
    assert "interval_s -1 is outside" in storable.problem(NodeHealth(node_id="spk-1", interval_s=-1))


def test_the_last_and_first_showable_instants_pass() -> None:
    assert storable.problem(receipt(at=storable.LATEST)) == ""
    assert storable.problem(receipt(at=storable.EARLIEST)) == ""
    assert storable.problem(receipt(at=storable.LATEST + timedelta(microseconds=1))) != ""


def test_safe_text_keeps_what_made_an_item_bad_readable_and_storable() -> None:
    assert storable.safe_text("a\x00b\ud800c") == "a\\x00b\\ud800c"
    assert storable.problem(receipt(detail=storable.safe_text("a\x00b\ud800c"))) == ""
