"""The acknowledgement messages of the contract (docs/mqtt.md, "Acknowledgement")."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mqtt import Announcement, MissedRequest, PayloadError, ReceiptKey, ReceiptsStored, Redelivery, Route
from mqtt.messages import MAX_STORED

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def test_each_acknowledgement_message_owns_its_topic_and_round_trips() -> None:
    stored = ReceiptsStored((ReceiptKey("a1", "played"), ReceiptKey("a2", "expired")))
    assert ReceiptsStored.topic(node_id="spk-1") == "shopcrier/node/spk-1/stored"
    assert ReceiptsStored.from_json(stored.to_json()) == stored
    assert MissedRequest.topic(node_id="spk-1") == "shopcrier/node/spk-1/missed"
    assert MissedRequest.from_json(MissedRequest(at=T0).to_json()) == MissedRequest(at=T0)
    again = Redelivery(Announcement(id="a1", text="客户张三提交了订单10023", category="order",
                                    route=Route("ops", "orders"), created_at=T0, expires_at=T0))
    assert Redelivery.topic(node_id="spk-1") == "shopcrier/node/spk-1/announce"
    assert Redelivery.parse_topic("shopcrier/node/spk-1/announce") == {"node_id": "spk-1"}
    assert Redelivery.from_json(again.to_json()) == again
    assert again.to_json() == again.announcement.to_json()  # the same payload, the same id


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b'{"v": 1, "receipts": [{"id": "a1", "status": "sung"}]}', "receipts stored.receipts[0].status"),
        (b'{"v": 1, "receipts": [{"id": "a/1", "status": "played"}]}', "receipts stored.receipts[0].id"),
        (b'{"v": 1, "receipts": ["a1"]}', "receipts stored.receipts[0]"),
        (b'{"v": 1, "receipts": "a1"}', "receipts stored.receipts"),
    ],
)
def test_a_bad_confirmation_is_refused_naming_the_field(payload: bytes, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        ReceiptsStored.from_json(payload)
    assert caught.value.field == field


def test_a_confirmation_names_at_most_max_stored_receipts() -> None:
    too_many = ReceiptsStored(tuple(ReceiptKey(f"a{i}", "played") for i in range(MAX_STORED + 1)))
    with pytest.raises(PayloadError, match="receipts"):
        ReceiptsStored.from_json(too_many.to_json())


def test_a_missed_request_needs_its_time() -> None:
    with pytest.raises(PayloadError) as caught:
        MissedRequest.from_json(b'{"v": 1, "at": "yesterday"}')
    assert caught.value.field == "missed request.at"


def test_the_generated_broker_config_saves_on_changes() -> None:
    from pathlib import Path

    from mqtt.broker import BrokerConfig

    lines = BrokerConfig(port=1883, data_dir=Path("/var/lib/shopcrier")).render().splitlines()
    assert "autosave_on_changes true" in lines and "autosave_interval 100" in lines
