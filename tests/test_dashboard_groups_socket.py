"""The grouped feed over the socket: each item names its group and carries the group's row as its
viewer sees it now; acknowledging a group tells every open page, and no other department's."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from dashboard import groups
from hub.intake.models import Message
from tests.attention_helpers import announced
from tests.dashboard_helpers import finance_clerk, orders_clerk
from tests.test_dashboard_socket import connect, no_mqtt, synchronously, tell

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
__all__ = ["no_mqtt"]  # the fixture, used by every test here


def refund(n: int) -> Message:
    return announced(f"用户{n}申请退款{n:03d}", category_slug="refund", dept="finance")


def ack_group_as(user: Any, gid: str) -> int:
    client = Client()
    client.force_login(user)
    reply = client.post(f"/g/{gid}/ack")
    assert reply.status_code == 200, reply.content
    return int(reply.json()["acknowledged"])


@synchronously
async def test_the_second_refund_of_a_burst_arrives_as_its_group_and_the_other_department_hears_nothing() -> None:
    finance, clerk = await sync_to_async(finance_clerk)(), await sync_to_async(orders_clerk)()
    finance_socket, ok1, _ = await connect(finance)
    orders_socket, ok2, _ = await connect(clerk)
    assert ok1 and ok2
    first = await sync_to_async(refund)(1)
    await tell(first)
    got = await finance_socket.receive_json_from(timeout=5)
    key = await sync_to_async(groups.key_of)(first.pk)
    assert key is not None
    assert (got["id"], got["group"], got["group_size"], got["group_html"]) == (first.pk, key.gid, 1, "")
    second = await sync_to_async(refund)(2)
    await tell(second)
    got = await finance_socket.receive_json_from(timeout=5)
    assert (got["type"], got["id"], got["group"], got["group_size"]) == ("message", second.pk, key.gid, 2)
    assert "×2" in got["group_html"] and "用户2申请退款002" in got["group_html"] and 'data-status="new"' in got["group_html"]
    assert await orders_socket.receive_nothing(timeout=0.5)
    await finance_socket.disconnect()
    await orders_socket.disconnect()


@synchronously
async def test_acknowledging_a_group_tells_each_open_page_of_every_member_and_the_group_ends_acknowledged() -> None:
    finance = await sync_to_async(finance_clerk)()
    made = [await sync_to_async(refund)(n) for n in range(3)]
    key = await sync_to_async(groups.key_of)(made[0].pk)
    assert key is not None
    socket, ok, _ = await connect(finance)
    assert ok
    assert await sync_to_async(ack_group_as)(finance, key.gid) == 3
    got = [await socket.receive_json_from(timeout=5) for _ in range(3)]
    assert sorted(g["id"] for g in got) == [m.pk for m in made]
    assert all(g["type"] == "changed" and g["state"] == "acknowledged" and g["group"] == key.gid for g in got)
    # one transaction: by the time the first news is read, every member is acknowledged
    assert all('data-status="acknowledged"' in g["group_html"] and "×3" in g["group_html"] for g in got)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@synchronously
async def test_a_page_showing_one_message_per_row_gets_no_group_rows() -> None:
    finance = await sync_to_async(finance_clerk)()
    first = await sync_to_async(refund)(1)
    socket, ok, _ = await connect(finance)
    assert ok
    await socket.send_json_to({"type": "catchup", "since": first.pk, "shown": [], "grouped": False})
    second = await sync_to_async(refund)(2)
    await tell(second)
    got = await socket.receive_json_from(timeout=5)
    assert (got["id"], got["group_size"], got["group_html"]) == (second.pk, 0, "")
    assert got["group"] == (await sync_to_async(groups.key_of)(first.pk)).gid  # type: ignore[union-attr]
    await socket.disconnect()
