"""The configuration file's keys for templates, rule conditions, route conditions and staff shifts."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.confio.dump import dump_config
from hub.confio.errors import ConfigFileError
from hub.confio.load import apply_config
from hub.confio.parse import parse_text
from hub.confio.report import Report
from hub.org.models import Department, Staff, StaffShift
from hub.rules.models import Category, Route, Rule

pytestmark = pytest.mark.django_db

SCHEDULED = """\
[[departments]]
slug = "finance"
subsystem = "ops"
name = "财务部门"
timezone = "Asia/Shanghai"

[[staff]]
number = "003"
name = "王芳"
department = "finance"
shifts = [{ days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "18:00" }]

[[staff]]
number = "007"
name = "Night Owl"
department = "finance"
timezone = "Europe/London"
shifts = [{ days = "sat", start = 22:00:00, end = "06:00" }, { days = ["sun"], start = "22:00", end = "06:00" }]

[[categories]]
slug = "withdrawal"
name = "提现"
priority = "high"
template_zh = "提现申请：{content}"
template_en = "Withdrawal request from {user}: {amount}"

[[rules]]
name = "withdrawal-words"
category = "withdrawal"
kind = "keyword"
patterns = ["提現", "withdraw"]

[[rules]]
name = "huge-withdrawal"
kind = "field"
priority = "urgent"
conditions = [{ path = "category", op = "==", value = "withdrawal" }, { path = "amount", op = ">=", value = 5000 }]

[[rules]]
name = "vip-order"
category = "order"
kind = "keyword"
patterns = ["VIP"]
priority = "high"
conditions = [{ path = "raw.customer.tier", op = "in", value = ["gold", "platinum"] }]

[[routes]]
category = "withdrawal"
department = "finance"
staff_mode = "round_robin"
min_amount = 1000.5
continue = true

[[routes]]
category = "withdrawal"
department = "finance"
app = "miniprogram"
source = "main-shop"
min_priority = "high"
"""


def load_text(text: str, **options: object) -> Report:
    return apply_config(parse_text(text, "test.toml"), **options)  # type: ignore[arg-type]


@pytest.mark.clock
def test_templates_rule_conditions_route_conditions_and_shifts_load_as_written() -> None:
    load_text(SCHEDULED)
    assert Department.objects.get(slug="finance").timezone == "Asia/Shanghai"
    night = Staff.objects.get(number="007")
    assert night.timezone == "Europe/London"
    assert sorted((s.weekday, s.start, s.end) for s in night.shifts.all()) == [(5, time(22), time(6)), (6, time(22), time(6))]
    assert StaffShift.objects.filter(staff__number="003").count() == 5
    withdrawal = Category.objects.get(slug="withdrawal")
    assert (withdrawal.template_zh, withdrawal.template_en) == ("提现申请：{content}", "Withdrawal request from {user}: {amount}")
    huge = Rule.objects.get(name="huge-withdrawal")
    assert (huge.category, huge.priority, huge.patterns, huge.conditions[1]) == (
        None, "urgent", [], {"path": "amount", "op": ">=", "value": 5000}
    )
    turns, filtered = Route.objects.filter(category__slug="withdrawal").order_by("position")[:2]
    assert (turns.staff_mode, turns.min_amount, turns.continue_matching) == ("round_robin", Decimal("1000.50"), True)
    assert (filtered.staff_mode, filtered.app, filtered.source, filtered.min_priority) == ("", "miniprogram", "main-shop", "high")


@pytest.mark.clock
def test_the_new_keys_survive_dump_and_load_unchanged() -> None:
    load_text(SCHEDULED)
    text = dump_config()
    assert 'shifts = [{ days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "18:00" }]' in text
    assert 'days = ["sat", "sun"], start = "22:00", end = "06:00"' in text
    before = list(StaffShift.objects.order_by("pk").values_list())
    with CaptureQueriesContext(connection) as queries:
        report = load_text(text, prune=True)
    assert not report.changed, report.lines()
    assert not [q for q in queries.captured_queries if q["sql"].split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert list(StaffShift.objects.order_by("pk").values_list()) == before
    assert dump_config() == text


@pytest.mark.clock
def test_changing_a_shift_is_reported_as_an_update_of_the_staff_members_shifts() -> None:
    load_text(SCHEDULED)
    report = load_text(SCHEDULED.replace('end = "18:00"', 'end = "17:30"'))
    assert report.tables["staff"].updated == [("003", ("shifts",))]
    assert {s.end for s in StaffShift.objects.filter(staff__number="003")} == {time(17, 30)}


@pytest.mark.parametrize(
    ("old", "new", "where", "reason"),
    [
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "departments[0].timezone", "not a time zone"),
        ('days = "sat"', 'days = "caturday"', "staff[1].shifts[0].days", "not one of mon"),
        ('start = "09:00"', 'start = "9am"', "staff[0].shifts[0].start", "time of day"),
        ('template_zh = "提现申请：{content}"', 'template_zh = "{nombre}"', "categories[0].template_zh", "unknown placeholder"),
        ('op = ">=", value = 5000', 'op = "~", value = 5000', "rules[1].conditions", "op '~'"),
        ('kind = "field"', 'kind = "field"\npatterns = ["x"]', "rules[1].patterns", "not patterns"),
        ('priority = "urgent"', "", "rules[1].category", "give a category, a priority, or both"),
        ('min_amount = 1000.5', 'min_amount = "lots"', "routes[0].min_amount", "must be a number"),
        ('min_priority = "high"', 'min_priority = "max"', "routes[1].min_priority", "not one of normal"),
        ('department = "finance"\nstaff_mode', 'everyone = true\nstaff_mode', "routes[0].staff_mode", "needs the department"),
    ],
)
@pytest.mark.clock
def test_a_bad_new_key_is_refused_naming_where_it_is(old: str, new: str, where: str, reason: str) -> None:
    assert old in SCHEDULED
    with pytest.raises(ConfigFileError) as caught:
        parse_text(SCHEDULED.replace(old, new, 1), "test.toml")
    assert where in str(caught.value) and reason in str(caught.value)
