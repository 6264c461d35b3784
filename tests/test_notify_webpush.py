"""Web Push through pywebpush to a local push service that verifies VAPID and decrypts the payload."""

from __future__ import annotations

import stat
from collections.abc import Iterator

import pytest
from django.conf import settings

from hub.intake.adapters.base import Item, Page
from hub.intake.models import Source
from hub.intake.store import store_page
from hub.notify.channels.webpush.keys import KEY_FILE, application_server_key
from hub.notify.models import Notification, PushSubscription, Target
from hub.notify.sender import Sender
from hub.org.models import Staff
from hub.pipeline import Pipeline
from tests.push_service import PushService

pytestmark = pytest.mark.django_db


@pytest.fixture
def push() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


def subscribe(push: PushService, name: str, staff: str = "003") -> None:
    endpoint, browser = push.subscribe(name)
    person = Staff.objects.get(number=staff)
    PushSubscription.objects.create(staff=person, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth)
    Target.objects.get_or_create(kind="webpush", name=f"push-{staff}", staff=person)


def withdrawal() -> None:
    source, _ = Source.objects.get_or_create(name="shop", defaults={"url": "http://127.0.0.1:1/"})
    item = Item(content="用户李四申请了提现，请及时审核", external_id="w-1", user_name="李四")
    store_page(source, Page(items=[item], rejects=[], cursor=None, more=False), Pipeline.from_db())


def test_a_subscribed_phone_gets_the_message_signed_and_encrypted(push: PushService) -> None:
    subscribe(push, "phone")
    withdrawal()

    assert Sender().step() == 1
    [delivered] = push.pushes
    assert delivered.vapid_key == application_server_key(settings.DATA_DIR)  # the hub's key signed it
    row = Notification.objects.get()
    assert delivered.payload["title"] == "【重要】提现"
    assert delivered.payload["tag"] == str(row.key)  # a repeat replaces the first on the device
    assert delivered.payload["url"].endswith(f"/m/{row.message_id}/")
    assert "/notify/ack/" in delivered.payload["ack_url"]
    assert stat.S_IMODE((settings.DATA_DIR / KEY_FILE).stat().st_mode) == 0o600
    assert not push.refused


def test_a_gone_subscription_is_pruned_and_the_others_still_get_it(push: PushService) -> None:
    subscribe(push, "old-laptop")
    subscribe(push, "phone")
    push.gone.add("old-laptop")
    withdrawal()

    assert Sender().step() == 1
    assert [p.endpoint.rsplit("/", 1)[-1] for p in push.pushes] == ["phone"]
    assert [s.endpoint.rsplit("/", 1)[-1] for s in PushSubscription.objects.all()] == ["phone"]
    assert Notification.objects.get().status == "sent"
    assert not push.refused


def test_when_every_subscription_is_gone_the_notification_fails_saying_so(push: PushService) -> None:
    subscribe(push, "phone")
    push.gone.add("phone")
    withdrawal()

    Sender().step()
    row = Notification.objects.get()
    assert row.status == "failed" and "gone" in row.last_error
    assert not PushSubscription.objects.exists()
