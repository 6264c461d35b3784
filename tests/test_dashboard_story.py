"""A message's whole story: received, classified, routed, each speaker's receipt, reminders, the acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hub.attention.models import Acknowledgement, FollowUp
from hub.org.models import Department, SpeakerNode
from hub.outbox.models import Delivery, Receipt
from tests.attention_helpers import announced
from tests.dashboard_helpers import admin, client_for

pytestmark = pytest.mark.django_db


def test_the_story_tells_each_step_with_each_speakers_receipt_and_who_acknowledged() -> None:
    message = announced("客户张三提交了订单10023")
    SpeakerNode.objects.create(node_id="spk-a", department=Department.objects.get(slug="orders"))
    SpeakerNode.objects.create(node_id="spk-b", department=Department.objects.get(slug="orders"))
    announcement = message.deliveries.exclude(announcement_id="").get()
    Delivery.objects.filter(message=message).update(status="sent", sent_at=timezone.now())
    now = timezone.now()
    Receipt.objects.create(announcement_id=announcement.announcement_id, node_id="spk-a", status="played", message=message, at=now)
    Receipt.objects.create(announcement_id=announcement.announcement_id, node_id="spk-b", status="failed", message=message,
                           at=now, detail="audio device busy")
    FollowUp.objects.create(message=message, rounds=2, last_announced_at=now, done=True)
    Acknowledgement.objects.create(message=message, by="101", at=now + timedelta(minutes=3))
    page = client_for(admin()).get(f"/m/{message.pk}/").content.decode()
    for expected in ("已接收", "已识别", "已分派", "订单部门", "spk-a", "已播报", "spk-b", "失败", "audio device busy",
                     "已写入 2 轮提醒或升级", "101 于"):
        assert expected in page, expected
    assert "没有音箱收听" not in page


def test_a_route_that_no_speaker_follows_is_shown_as_reaching_nobody_not_as_sent() -> None:
    message = announced("用户王五申请了提现请及时审核", category_slug="withdrawal", dept="finance")
    Delivery.objects.filter(message=message).update(status="sent")
    page = client_for(admin()).get(f"/m/{message.pk}/").content.decode()
    assert "没有音箱收听这条路由：没人听到。" in page


def test_a_delivery_state_the_page_does_not_know_is_shown_by_its_name() -> None:
    message = announced("客户张三提交了订单10023")
    Delivery.objects.filter(message=message).exclude(announcement_id="").update(status="no_speaker")
    page = client_for(admin()).get(f"/m/{message.pk}/").content.decode()
    assert "没有音箱收听" in page  # the delivery state, in words


def test_a_stored_message_is_read_only_on_the_dashboard() -> None:
    message = announced("客户张三提交了订单10023")
    page = client_for(admin()).get(f"/m/{message.pk}/").content.decode()
    assert "<textarea" not in page and 'name="content"' not in page
