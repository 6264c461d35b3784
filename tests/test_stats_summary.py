"""The daily and weekly summary: off until a person switches it on, owed once per period and
target however often the worker runs, sent through a real Apprise json:// post to a local HTTP
server in the person's language, and resent with the same id by a sender that was killed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboard.models import Preference
from hub.monitor.models import Alert
from hub.notify.base import Notice, transport_for
from hub.notify.models import Notification, Target
from hub.notify.sender import Sender
from hub.org.models import Staff
from hub.stats.summary import write_summaries
from hub.stats.worker import StatsWorker
from tests.attention_helpers import Clock, department
from tests.dashboard_helpers import admin, client_for, login
from tests.notify_helpers import Receiver, bot, receiver
from tests.stats_helpers import handled

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # "yesterday"
WEDNESDAY_8 = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)  # the default summary hour, the day after


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with receiver() as server:
        monkeypatch.setenv("CHEN_BOT", server.url)
        yield server


def orders_manager_who_wants(summary: str) -> Staff:
    login("chen", staff="301", dept="orders", manages=("orders",))
    person = Staff.objects.get(number="301")
    person.summary = summary
    person.save()
    bot("chen-own", "CHEN_BOT", staff="301")
    return person


def a_day_of_work() -> None:
    """Tuesday: two orders (one acknowledged after 20 min) and a withdrawal in finance;
    the Tuesday before: one order."""
    handled("客户张三提交了订单10023", TUESDAY, played_after=4, acked_after=1200)
    handled("客户李四提交了订单10024", TUESDAY + timedelta(hours=2), played_after=6, acked_after=90)
    handled("用户王五申请了提现请及时审核", TUESDAY, dept="finance", category_slug="withdrawal", acked_after=30)
    handled("客户赵六提交了订单10001", TUESDAY - timedelta(days=7), played_after=3, acked_after=60)


def run_worker_at(when: datetime) -> None:
    StatsWorker(clock=lambda: when, purge=None).step(stop=threading.Event())


def test_nobody_gets_a_summary_until_they_switch_it_on(hook: Receiver) -> None:
    orders_manager_who_wants("")
    a_day_of_work()
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=5))
    assert not Notification.objects.exists()
    assert Sender(clock=Clock(WEDNESDAY_8 + timedelta(minutes=6))).step() == 0 and not hook.posts


def test_a_manager_gets_yesterday_once_in_chinese_beside_last_week_however_often_the_worker_runs(hook: Receiver) -> None:
    orders_manager_who_wants("daily")
    a_day_of_work()
    run_worker_at(WEDNESDAY_8 - timedelta(minutes=1))  # before the hour: nothing owed yet
    assert not Notification.objects.exists()
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=5))
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=10))  # the scheduler again, the same day
    assert write_summaries(WEDNESDAY_8 + timedelta(hours=3)) == 0
    [row] = Notification.objects.all()
    assert row.message_id is None and row.announcement_id == "summary:daily:2026-11-24"

    clock = Clock(WEDNESDAY_8 + timedelta(minutes=11))
    assert Sender(clock=clock).step() == 1
    clock.advance(minutes=5)
    assert Sender(clock=clock).step() == 0
    [posted] = hook.received(timeout=5)
    body = posted.json()
    assert body["title"] == "ShopCrier 每日汇总，2026-11-24"
    text = body["message"]
    assert "消息：2 条（上周同日：1 条，+100%）" in text
    assert "订单：2（1）" in text
    assert "提现" not in text  # finance is not this manager's
    assert "已确认：2；超过时限：1" in text  # acknowledged after 20 min, past the 10-min target
    assert "订单，消息 " in text and "：20 分钟后才确认" in text
    assert "故障：无" in text
    assert posted.notification_id == str(row.key)


def test_a_person_who_chose_english_reads_it_in_english_with_the_outages(hook: Receiver) -> None:
    person = orders_manager_who_wants("daily")
    assert person.user is not None
    Preference.objects.create(user=person.user, language="en")
    a_day_of_work()
    Alert.objects.create(key="broker", kind=Alert.BROKER, subject="broker", text="down",
                         opened_at=TUESDAY, resolved_at=TUESDAY + timedelta(minutes=30))
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=5))
    Sender(clock=Clock(WEDNESDAY_8 + timedelta(minutes=6))).step()
    [posted] = hook.received(timeout=5)
    assert posted.json()["title"] == "ShopCrier daily summary, 2026-11-24"
    # a manager sees only their departments' speakers, so the broker's outage is not in theirs
    assert "Outages: none" in posted.json()["message"]
    assert "Messages: 2 (same weekday last week: 1, +100%)" in posted.json()["message"]


def test_an_admin_sees_everything_and_the_outages(hook: Receiver) -> None:
    boss = admin()
    person = Staff.objects.create(number="900", name="boss", department=department("tech"), user=boss, summary="daily")
    Target.objects.create(kind="apprise", name="boss-own", url_env="CHEN_BOT", staff=person)
    a_day_of_work()
    Alert.objects.create(key="broker", kind=Alert.BROKER, subject="broker", text="down",
                         opened_at=TUESDAY, resolved_at=TUESDAY + timedelta(minutes=30))
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=5))
    Sender(clock=Clock(WEDNESDAY_8 + timedelta(minutes=6))).step()
    [posted] = hook.received(timeout=5)
    text = posted.json()["message"]
    assert "消息：3 条" in text and "提现：1（0）" in text
    assert "故障：音箱 0 分钟，平台 0 分钟，消息服务器 30 分钟" in text


def test_a_weekly_summary_comes_on_monday_for_last_week(hook: Receiver) -> None:
    orders_manager_who_wants("weekly")
    a_day_of_work()
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=5))  # a Wednesday: no weekly summary
    assert not Notification.objects.exists()
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    run_worker_at(monday)
    [row] = Notification.objects.all()
    assert row.announcement_id == "summary:weekly:2026-11-23"
    assert row.title == "ShopCrier 每周汇总，2026-11-23 至 2026-11-29"
    assert "消息：2 条（前一周：1 条，+100%）" in row.body


def test_a_sender_killed_after_sending_a_summary_sends_it_again_with_the_same_id(hook: Receiver) -> None:
    orders_manager_who_wants("daily")
    a_day_of_work()
    run_worker_at(WEDNESDAY_8 + timedelta(minutes=5))
    clock = Clock(WEDNESDAY_8 + timedelta(minutes=6))

    class SendsThenDies:
        def __init__(self, target: Target) -> None:
            self.real = transport_for(target)

        def notify(self, notice: Notice) -> None:
            self.real.notify(notice)
            raise KeyboardInterrupt  # killed between sending and marking it sent

    with pytest.raises(KeyboardInterrupt):
        Sender(clock=clock, transports=SendsThenDies).step()
    assert Notification.objects.get().status == Notification.SENDING
    clock.advance(seconds=61)  # the dead sender's lease runs out
    assert Sender(clock=clock).step() == 1
    first, again = hook.received(timeout=5, count=2)
    assert first.notification_id == again.notification_id == str(Notification.objects.get().key)
    assert Notification.objects.get().status == Notification.SENT
    clock.advance(minutes=5)
    assert Sender(clock=clock).step() == 0 and len(hook.posts) == 2


def test_the_switch_is_on_the_staff_page_of_the_admin() -> None:
    person = Staff.objects.create(number="900", name="boss", department=department("orders"))
    page = client_for(admin()).get(f"/admin/org/staff/{person.pk}/change/").content.decode()
    assert 'name="summary"' in page and "weekly (Mondays)" in page
    assert Staff._meta.get_field("summary").default == Staff.SUMMARY_OFF  # off until switched on


def test_the_summary_rides_in_the_configuration_file_and_comes_back_from_a_dump() -> None:
    from hub.confio.dump import dump_config
    from hub.confio.load import apply_config
    from hub.confio.parse import parse_text

    department("orders")
    text = ('[[staff]]\nnumber = "900"\nname = "boss"\ndepartment = "orders"\nsummary = "weekly"\n\n'
            '[[staff]]\nnumber = "901"\nname = "clerk"\ndepartment = "orders"\n')
    apply_config(parse_text(text, "staff.toml"))
    assert dict(Staff.objects.filter(number__in=("900", "901")).values_list("number", "summary")) == {"900": "weekly", "901": ""}
    dumped = dump_config()
    assert 'summary = "weekly"' in dumped and dumped.count("summary =") == 1  # off is the default, left out
    Staff.objects.filter(number="900").update(summary="daily")
    report = apply_config(parse_text(dumped, "backup.toml"))
    assert Staff.objects.get(number="900").summary == "weekly" and report.changed
    assert not apply_config(parse_text(dump_config(), "backup.toml")).changed


def test_a_summary_the_file_does_not_know_is_refused_with_its_place() -> None:
    from hub.confio.errors import ConfigFileError
    from hub.confio.parse import parse_text

    with pytest.raises(ConfigFileError) as refused:
        parse_text('[[staff]]\nnumber = "900"\nname = "boss"\ndepartment = "orders"\nsummary = "hourly"\n', "staff.toml")
    assert "staff[0].summary" in str(refused.value) and "hourly" in str(refused.value) and "weekly" in str(refused.value)


def test_an_admin_switches_a_summary_on_in_the_settings_staff_page() -> None:
    person = Staff.objects.create(number="900", name="boss", department=department("orders"))
    client = client_for(admin())
    page = client.get(f"/settings/staff/{person.pk}/").content.decode()
    assert 'name="summary"' in page and '<option value="off" selected>' in page and "每周一份（周一）" in page
    form = {"number": "900", "name": "boss", "department": "orders", "contact": "", "timezone": "", "shifts": "",
            "summary": "weekly", "login": ""}
    assert client.post(f"/settings/staff/{person.pk}/", form).status_code in (200, 302)
    assert Staff.objects.get(pk=person.pk).summary == "weekly"
    assert '<option value="weekly" selected>' in client.get(f"/settings/staff/{person.pk}/").content.decode()
    form["summary"] = "off"
    client.post(f"/settings/staff/{person.pk}/", form)
    assert Staff.objects.get(pk=person.pk).summary == ""
