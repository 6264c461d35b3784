"""Routing and announcements: the design's worked examples end to end, route
conditions, staff on duty by weekly shifts in their time zones, round robin,
and the spoken text from the category's template."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

import mqtt
from hub.intake.adapters import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.org.models import Department, Staff, StaffShift
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline
from hub.rules.facts import Facts
from hub.rules.models import Category, Route
from hub.rules.routing import RouteEntry, RouteTable, claim_turn_in_db

pytestmark = pytest.mark.django_db

# Wednesday 25 November 2026
WED_0959_UTC = datetime(2026, 11, 25, 9, 59, tzinfo=timezone.utc)  # 17:59 in Shanghai
WED_1000_UTC = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)  # 18:00 in Shanghai
MON_TO_FRI = range(5)


def shop() -> Source:
    return Source.objects.create(name="shop", url="http://127.0.0.1:9/api")


def store(*contents: str, clock: Callable[[], datetime] | None = None, app: str = "") -> list[Message]:
    source = Source.objects.filter(name="shop").first() or shop()
    items = [Item(content=c, external_id=f"{i}-{c[:8]}", app=app) for i, c in enumerate(contents)]
    pipeline = Pipeline.from_db(clock) if clock else Pipeline.from_db()
    store_page(source, Page(items=items, rejects=[], cursor=None, more=False), pipeline)
    return list(Message.objects.filter(content__in=contents).order_by("pk"))


def announcements(message: Message) -> list[mqtt.Announcement]:
    rows = Delivery.objects.filter(message=message).exclude(announcement_id="").order_by("pk")
    return [mqtt.Announcement.from_json(bytes(row.payload)) for row in rows]


def topics(message: Message) -> list[str]:
    return list(Delivery.objects.filter(message=message).order_by("pk").values_list("topic", flat=True))


def staff(number: str, department: str = "finance", tz: str = "", days: range = MON_TO_FRI, start: str = "09:00", end: str = "18:00") -> Staff:
    person = Staff.objects.create(number=number, name=f"staff {number}", department=Department.objects.get(slug=department), timezone=tz)
    for day in days:
        StaffShift.objects.create(staff=person, weekday=day, start=time.fromisoformat(start), end=time.fromisoformat(end))
    return person


def route_withdrawals_to_finance_staff(mode: str) -> None:
    Route.objects.filter(category__slug="withdrawal").delete()
    Route.objects.create(
        position=1, category=Category.objects.get(slug="withdrawal"), department=Department.objects.get(slug="finance"), staff_mode=mode
    )


# -- the design's worked examples ------------------------------------------------------------------------
def test_worked_example_1_an_order_is_said_in_the_order_department() -> None:
    (message,) = store("客户xx提交了订单xxx")
    assert (message.category and message.category.slug, message.rule) == ("order", "order-keywords")
    assert topics(message) == ["shopcrier/events/order", "shopcrier/announce/ops/orders"]
    (said,) = announcements(message)
    assert (said.text, said.lang, said.sound, said.priority) == ("客户xx提交了订单xxx", "zh", "order-chime", "normal")
    assert said.route == mqtt.Route("ops", "orders")
    assert said.expires_at is not None and said.expires_at - said.created_at <= timedelta(seconds=1800)


@pytest.mark.clock
def test_worked_example_2_a_withdrawal_goes_to_finance_staff_003_and_the_finance_department() -> None:
    (message,) = store("用户xx申请了提现请及时审核")
    assert message.category is not None and message.category.slug == "withdrawal"
    assert topics(message) == [
        "shopcrier/events/withdrawal",
        "shopcrier/announce/ops/finance",
        "shopcrier/announce/ops/finance/003",
    ]
    department, person = announcements(message)
    assert department.id == person.id  # one announcement: a speaker following both says it once
    assert (person.route.staff, person.priority, person.text) == ("003", "high", "用户xx申请了提现请及时审核")


def test_a_large_withdrawal_is_urgent_on_every_topic_it_goes_to() -> None:
    (message,) = store("姜维申请提现到银行卡，金额8000元")
    assert {a.priority for a in announcements(message)} == {"urgent"}


# -- route conditions -------------------------------------------------------------------------------------------
def test_route_conditions_on_source_app_priority_and_amount_must_all_hold() -> None:
    everyone = mqtt.Route()
    table = RouteTable(
        [
            RouteEntry("order", everyone, continue_matching=True, min_amount=Decimal(5000)),
            RouteEntry("order", mqtt.Route("ops", "service"), continue_matching=True, app="miniprogram"),
            RouteEntry("order", mqtt.Route("ops", "tech"), continue_matching=True, source="other-shop"),
            RouteEntry("order", mqtt.Route("ops", "finance", "003"), continue_matching=True, min_priority="high"),
            RouteEntry("order", mqtt.Route("ops", "orders")),
        ]
    )
    small = Facts(content="订单10023，金额99元", source="shop", app="web")
    assert table.targets("order", small) == [mqtt.Route("ops", "orders")]
    big_app = Facts(content="订单10024，金额¥9,000.00", source="shop", app="MiniProgram")
    assert table.targets("order", big_app, "high") == [
        everyone, mqtt.Route("ops", "service"), mqtt.Route("ops", "finance", "003"), mqtt.Route("ops", "orders")
    ]
    assert table.targets("order", Facts(content="no amount", source="other-shop"), "urgent") == [
        mqtt.Route("ops", "tech"), mqtt.Route("ops", "finance", "003"), mqtt.Route("ops", "orders")
    ]


def test_a_route_that_does_not_match_lets_the_next_one_decide() -> None:
    order = Category.objects.get(slug="order")
    Route.objects.create(position=1, category=order, everyone=True, min_amount=Decimal("5000.00"))
    (small,) = store("客户甲提交了订单1，金额100元")
    (large,) = store("客户乙提交了订单2，金额6000元")
    assert topics(small)[1:] == ["shopcrier/announce/ops/orders"]
    assert topics(large)[1:] == ["shopcrier/announce/all"]  # the first match ends it: it does not continue


# -- staff on duty ----------------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_on_duty_staff_are_chosen_by_their_shift_in_their_own_time_zone() -> None:
    staff("101", tz="Asia/Shanghai")  # 09:00-18:00 Shanghai = 01:00-10:00 UTC
    staff("102", tz="Europe/London")  # 09:00-18:00 London = 09:00-18:00 UTC in November
    staff("103", tz="America/New_York")  # 09:00-18:00 New York = 14:00-23:00 UTC in November
    route_withdrawals_to_finance_staff("on_duty")
    table = RouteTable.from_db()

    def finance(*numbers: str) -> list[mqtt.Route]:
        return [mqtt.Route("ops", "finance", n) for n in numbers]

    assert table.targets("withdrawal", when=WED_0959_UTC) == finance("101", "102")
    assert table.targets("withdrawal", when=WED_1000_UTC) == finance("102")  # Shanghai's shift ended at 18:00
    assert table.targets("withdrawal", when=datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)) == finance("102", "103")


@pytest.mark.clock
def test_a_department_time_zone_applies_to_staff_without_their_own() -> None:
    Department.objects.filter(slug="finance").update(timezone="Asia/Shanghai")
    staff("101")
    route_withdrawals_to_finance_staff("on_duty")
    table = RouteTable.from_db()
    assert table.targets("withdrawal", when=WED_0959_UTC) == [mqtt.Route("ops", "finance", "101")]
    assert table.targets("withdrawal", when=WED_1000_UTC) == [mqtt.Route("ops", "finance")]


@pytest.mark.clock
def test_a_night_shift_runs_past_midnight_into_the_next_day() -> None:
    staff("201", tz="UTC", days=range(2, 3), start="22:00", end="06:00")  # Wednesday night
    route_withdrawals_to_finance_staff("on_duty")
    table = RouteTable.from_db()
    thursday_0559 = datetime(2026, 11, 26, 5, 59, tzinfo=timezone.utc)
    assert table.targets("withdrawal", when=thursday_0559) == [mqtt.Route("ops", "finance", "201")]
    assert table.targets("withdrawal", when=thursday_0559 + timedelta(minutes=1)) == [mqtt.Route("ops", "finance")]
    assert table.targets("withdrawal", when=WED_1000_UTC) == [mqtt.Route("ops", "finance")]


@pytest.mark.clock
def test_nobody_on_duty_falls_back_to_the_department() -> None:
    Staff.objects.filter(number="003").delete()  # has no shifts anyway
    staff("101", tz="Asia/Shanghai", days=range(0))  # no shifts at all: never on duty
    route_withdrawals_to_finance_staff("round_robin")
    (message,) = store("用户甲申请了提现", clock=lambda: WED_1000_UTC)
    assert topics(message)[1:] == ["shopcrier/announce/ops/finance"]


@pytest.mark.clock
def test_round_robin_gives_each_message_to_the_next_staff_member_on_duty() -> None:
    for number in ("101", "102", "103"):
        staff(number, tz="UTC")
    route_withdrawals_to_finance_staff("round_robin")
    contents = [f"用户{n}申请了提现" for n in "甲乙丙丁"]
    for content in contents[:2]:
        store(content, clock=lambda: WED_1000_UTC)
    for content in contents[2:]:  # a new pipeline (another request, another process) carries on the count
        store(content, clock=lambda: WED_1000_UTC)
    messages = Message.objects.filter(content__in=contents).order_by("pk")
    assert [announcements(m)[0].route.staff for m in messages] == ["101", "102", "103", "101"]


@pytest.mark.clock
def test_round_robin_skips_staff_off_duty_and_turns_are_never_given_twice() -> None:
    staff("101", tz="Asia/Shanghai")
    staff("102", tz="UTC")
    route_withdrawals_to_finance_staff("round_robin")
    route = Route.objects.get(category__slug="withdrawal")
    table = RouteTable.from_db()
    after_shanghai = [table.targets("withdrawal", when=WED_1000_UTC)[0].staff for _ in range(3)]
    assert after_shanghai == ["102", "102", "102"]
    assert [claim_turn_in_db(route.pk) for _ in range(3)] == [3, 4, 5]
    route.refresh_from_db()
    assert route.turn == 6


# -- what is said ---------------------------------------------------------------------------------------------------
def test_the_announcement_is_the_categorys_template_in_the_messages_language() -> None:
    Category.objects.filter(slug="withdrawal").update(
        template_zh="{category_name}：{user}申请{amount}，{content}", template_en="Payout request from {user}: {amount}"
    )
    source = shop()
    items = [
        Item(content="用户李四申请了提现，金额¥3,000.00", external_id="1", user_name="李四"),
        Item(content="Seller Bob requested a withdrawal of $450.00", external_id="2", user_name="Bob"),
    ]
    store_page(source, Page(items=items, rejects=[], cursor=None, more=False), Pipeline.from_db())
    zh, en = Message.objects.order_by("external_id")
    assert announcements(zh)[0].text == "提现：李四申请¥3,000.00，用户李四申请了提现，金额¥3,000.00"
    assert (announcements(en)[0].text, announcements(en)[0].lang) == ("Payout request from Bob: $450.00", "en")
    event = json.loads(bytes(Delivery.objects.get(message=en, topic="shopcrier/events/withdrawal").payload))
    assert event["text"] == "Seller Bob requested a withdrawal of $450.00"  # other tools get the platform's words


def test_a_system_fault_is_announced_as_one() -> None:
    (message,) = store("支付回调接口连续5次超时")
    (said,) = announcements(message)
    assert (said.text, said.priority, said.sound) == ("系统告警：支付回调接口连续5次超时", "urgent", "alarm")
