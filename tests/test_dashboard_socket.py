"""The live feed socket, driven with Channels' WebsocketCommunicator against the real ASGI app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

import mqtt
from dashboard.audience import groups_for_message
from dashboard.bridge import events_for
from hub.asgi import application
from hub.attention.ack import acknowledge
from hub.intake.models import Message
from tests.attention_helpers import announced
from tests.dashboard_helpers import finance_clerk, orders_clerk, orders_manager

# serialized_rollback: the flush after each test would otherwise take the migrations' data (default
# categories, content types) from every test after these
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def synchronously(test: Callable[[], Awaitable[None]]) -> Callable[[], None]:
    """An async test run on its own event loop (no asyncio plugin needed)."""

    def run() -> None:
        async_to_sync(test)()

    run.__name__ = test.__name__
    run.__doc__ = test.__doc__
    return run


@pytest.fixture(autouse=True)
def no_mqtt(settings: Any) -> Iterator[None]:
    settings.DASHBOARD_FOLLOW_MQTT = False  # these tests send the news to the layer themselves
    yield


def headers(user: User | None, origin: str = "http://localhost") -> list[tuple[bytes, bytes]]:
    found = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if user is not None:
        client = Client()
        client.force_login(user)
        found.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return found


async def connect(user: User | None, origin: str = "http://localhost") -> tuple[WebsocketCommunicator, bool, Any]:
    communicator = WebsocketCommunicator(application, "/ws/feed", headers=await sync_to_async(headers)(user, origin))
    connected, code = await communicator.connect()
    return communicator, connected, code


async def tell(message: Message, kind: str = "feed.message") -> None:
    layer = get_channel_layer()
    assert layer is not None
    for name in await sync_to_async(groups_for_message)(message.pk):
        await layer.group_send(name, {"type": kind, "id": message.pk})


@synchronously
async def test_an_anonymous_socket_is_refused() -> None:
    communicator, connected, code = await connect(None)
    assert not connected and code == 4401
    await communicator.disconnect()


@synchronously
async def test_a_socket_from_another_sites_page_is_refused_before_any_login_is_read() -> None:
    clerk = await sync_to_async(orders_clerk)()
    communicator, connected, _ = await connect(clerk, origin="http://evil.example")
    assert not connected
    await communicator.disconnect()


@synchronously
async def test_an_order_reaches_the_orders_clerk_and_never_the_finance_clerks_socket() -> None:
    clerk, finance = await sync_to_async(orders_clerk)(), await sync_to_async(finance_clerk)()
    orders_socket, ok1, _ = await connect(clerk)
    finance_socket, ok2, _ = await connect(finance)
    assert ok1 and ok2
    order = await sync_to_async(announced)("客户张三提交了订单10023")
    await tell(order)
    got = await orders_socket.receive_json_from(timeout=5)
    assert got["type"] == "message" and got["id"] == order.pk and "订单10023" in got["html"]
    assert got["category"] == "order" and got["state"] == "new"
    assert await finance_socket.receive_nothing(timeout=0.5)
    # even told straight into the finance clerk's own group, the consumer re-checks and sends nothing
    layer = get_channel_layer()
    assert layer is not None
    await layer.group_send("feed.dept.finance", {"type": "feed.message", "id": order.pk})
    assert await finance_socket.receive_nothing(timeout=0.5)
    await orders_socket.disconnect()
    await finance_socket.disconnect()


@synchronously
async def test_a_page_cannot_ask_to_join_another_departments_group() -> None:
    finance = await sync_to_async(finance_clerk)()
    socket, ok, _ = await connect(finance)
    assert ok
    await socket.send_json_to({"type": "join", "group": "feed.dept.orders"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    order = await sync_to_async(announced)("客户张三提交了订单10023")
    await tell(order)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@synchronously
async def test_an_acknowledgement_reaches_the_managers_open_page_at_once() -> None:
    clerk, manager = await sync_to_async(orders_clerk)(), await sync_to_async(orders_manager)()
    order = await sync_to_async(announced)("客户张三提交了订单10023")
    socket, ok, _ = await connect(manager)
    assert ok
    from django.utils import timezone

    await sync_to_async(acknowledge)(order.pk, "101", timezone.now())  # the post-commit signal tells the groups
    got = await socket.receive_json_from(timeout=5)
    assert got == got | {"type": "changed", "id": order.pk, "state": "acknowledged"}
    assert "101" in got["html"]
    assert clerk.pk  # the clerk's login exists; acknowledging needs no socket
    await socket.disconnect()


@synchronously
async def test_a_reconnecting_page_catches_up_from_the_last_id_it_saw() -> None:
    clerk = await sync_to_async(orders_clerk)()
    seen = await sync_to_async(announced)("客户张三提交了订单10023")
    missed = [await sync_to_async(announced)(f"客户{n}提交了订单2000{n}") for n in range(3)]
    await sync_to_async(announced)("用户王五申请了提现请及时审核", category_slug="withdrawal", dept="finance")
    socket, ok, _ = await connect(clerk)
    assert ok
    await socket.send_json_to({"type": "catchup", "since": seen.pk, "shown": [seen.pk]})
    got = [await socket.receive_json_from(timeout=5) for _ in range(4)]
    assert [(g["type"], g["id"]) for g in got] == [("changed", seen.pk)] + [("message", m.pk) for m in missed]
    assert await socket.receive_nothing(timeout=0.5)  # the withdrawal is not the clerk's
    await socket.disconnect()


@synchronously
async def test_a_malformed_catchup_gets_a_one_line_error_and_the_socket_stays_open() -> None:
    clerk = await sync_to_async(orders_clerk)()
    socket, ok, _ = await connect(clerk)
    assert ok
    await socket.send_json_to({"type": "catchup", "since": "yesterday"})
    assert (await socket.receive_json_from(timeout=5))["error"].startswith("catchup needs")
    await socket.send_json_to({"type": "catchup", "since": 0, "shown": []})
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@synchronously
async def test_a_speakers_reply_reaches_its_departments_manager_and_not_a_clerk() -> None:
    clerk, manager = await sync_to_async(orders_clerk)(), await sync_to_async(orders_manager)()
    clerk_socket, ok1, _ = await connect(clerk)
    manager_socket, ok2, _ = await connect(manager)
    assert ok1 and ok2
    received = mqtt.Received(mqtt.Reply.topic(node_id="spk-orders-1"), mqtt.Reply(id="c1", ok=True, detail="identified").to_json(), False, 1)
    await sync_to_async(_register_speaker)()
    layer = get_channel_layer()
    assert layer is not None
    for groups, event in await sync_to_async(events_for)(received, "shopcrier"):
        for name in groups:
            await layer.group_send(name, event)
    got = await manager_socket.receive_json_from(timeout=5)
    assert got == {"type": "reply", "node": "spk-orders-1", "id": "c1", "ok": True, "detail": "identified"}
    assert await clerk_socket.receive_nothing(timeout=0.5)
    await clerk_socket.disconnect()
    await manager_socket.disconnect()


def _register_speaker() -> None:
    from hub.org.models import Department, SpeakerNode

    SpeakerNode.objects.get_or_create(node_id="spk-orders-1", defaults={"department": Department.objects.get(slug="orders")})


def test_the_bridge_drops_a_malformed_event_and_tells_everyone_of_an_alert() -> None:
    bad = mqtt.Received(mqtt.Event.topic(category="order"), b'{"message_id": "x"}', False, 1)
    assert events_for(bad, "shopcrier") == []
    alert = mqtt.Alert(id="a1", state="opened", subject="spk-orders-1", text="offline")
    told = events_for(mqtt.Received(mqtt.Alert.topic(), alert.to_json(), False, 1), "shopcrier")
    assert {e["type"] for _, e in told} == {"alerts.changed", "fleet.changed"}
    assert all(groups == {"feed.admin", "feed.everyone"} for groups, _ in told)


@synchronously
async def test_a_page_without_a_feed_catches_up_only_the_rows_it_shows() -> None:
    clerk = await sync_to_async(orders_clerk)()
    shown = await sync_to_async(announced)("客户张三提交了订单10023")
    await sync_to_async(announced)("客户李四提交了订单10024")
    socket, ok, _ = await connect(clerk)
    assert ok
    await socket.send_json_to({"type": "catchup", "since": -1, "shown": [shown.pk]})
    got = await socket.receive_json_from(timeout=5)
    assert (got["type"], got["id"]) == ("changed", shown.pk)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
