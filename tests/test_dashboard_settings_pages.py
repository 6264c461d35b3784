"""The settings pages for admins (categories, rules, routes, organisation, escalation, digests,
prompt sounds): who may use them, what they save, and what they refuse, with the loader's reasons
beside the field, in the person's language, and nothing written."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


from dashboard.models import Preference
from hub.attention.models import DigestPolicy, EscalationPolicy
from hub.confio.dump import dump_config
from hub.confio.errors import ConfigFileError
from hub.confio.parse import parse_text
from hub.intake.models import Message, Source
from hub.org.models import Department, Staff, StaffShift, Subsystem
from hub.pipeline import Pipeline
from hub.rules.facts import Facts
from hub.rules.models import Category, Route, Rule
from hub.sounds.models import PromptSound
from tests.dashboard_helpers import admin, client_for, finance_clerk, login, orders_clerk, orders_manager
from tests.sound_helpers import encoded

pytestmark = pytest.mark.django_db
SettingsWrapper = Any  # pytest-django's settings fixture; its class is not public

NOON = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # a fixed instant: nobody in these tests has shifts
PAGES = ("categories", "rules", "routes", "subsystems", "departments", "staff", "escalation", "digests")


# -- reading a page as a person does --------------------------------------------------------------------
def field_errors(page: str, name: str) -> list[str]:
    """The refusals shown beside the form field ``name``."""
    block = page.split(f'data-field="{name}"', 1)[1].split('<div class="field', 1)[0].split('<div class="actions"', 1)[0]
    return [html.unescape(e) for e in re.findall(r'<p class="error field-error">(.*?)</p>', block, re.S)]


def form_errors(page: str) -> list[str]:
    block = page.split('<ul class="form-errors"', 1)[1].split("</ul>", 1)[0] if "form-errors" in page else ""
    return [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", block, re.S)]


def notices(page: str) -> list[str]:
    block = page.split('<ul class="notices"', 1)[1].split("</ul>", 1)[0] if 'class="notices"' in page else ""
    return [html.unescape(e) for e in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def post(client: Client, url: str, data: dict[str, Any]) -> tuple[int, str]:
    """Post the form; follow the redirect of a saved change to the page that says so."""
    response = client.post(url, data, follow=True)
    return response.status_code, response.content.decode()


def english(client: Client, user: Any) -> Client:
    Preference.objects.update_or_create(user=user, defaults={"language": "en"})
    return client


def pipeline_targets(text: str) -> tuple[str, list[str]]:
    """What the hub would do with ``text`` now: its category, and who hears it (a staff number or a department)."""
    pipeline = Pipeline.from_db()
    facts = Facts(content=text, type="", app="", source="", user="", lang="zh", raw={})
    found = pipeline.recognition(facts)
    slug = found.category.slug if found.category else ""
    targets = pipeline.routes.targets(slug, facts, found.priority, NOON) if slug else []
    return slug, [t.staff or t.department or "everyone" for t in targets]


def rule_form(**over: str) -> dict[str, str]:
    return {"name": "vip", "kind": "keyword", "patterns": "VIP客户", "category": "order", "priority": "", "conditions": "",
            "enabled": "on", **over}


def route_form(**over: str) -> dict[str, str]:
    return {"category": "withdrawal", "target": "department:orders", "staff_mode": "", "source": "", "app": "",
            "min_priority": "", "min_amount": "", **over}


# -- who may -----------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_managers_and_staff_get_403_on_every_settings_page_and_change_nothing() -> None:
    people = (orders_manager(), orders_clerk())
    before = dump_config()
    rule = Rule.objects.first()
    assert rule is not None
    for user in people:
        client = client_for(user)
        assert "/settings/" not in client.get("/").content.decode()  # no link to what they may not use
        for page in PAGES:
            assert client.get(f"/settings/{page}/").status_code == 403
        assert client.get(f"/settings/rules/{rule.pk}/").status_code == 403
        assert client.post("/settings/rules/new", rule_form()).status_code == 403
        assert client.post(f"/settings/rules/{rule.pk}/", {"action": "delete"}).status_code == 403
        assert client.post(f"/settings/routes/{Route.objects.first().pk}/move", {"direction": "1"}).status_code == 403  # type: ignore[union-attr]
        assert client.get("/settings/sounds/").status_code == 403
        assert client.post("/settings/sounds/", {"name": "x", "upload": SimpleUploadedFile("x.wav", encoded())}).status_code == 403
    assert Client().get("/settings/rules/").status_code == 302  # to the login page
    assert dump_config() == before and not PromptSound.objects.filter(name="x").exists()


def test_a_form_posted_without_the_csrf_token_is_refused_and_saves_nothing() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin())
    assert client.post("/settings/rules/new", rule_form()).status_code == 403
    assert not Rule.objects.filter(name="vip").exists()
    page = client.get("/settings/rules/new").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.clock
def test_an_admin_sees_a_link_to_every_page_in_chinese() -> None:
    page = client_for(admin()).get("/settings/").content.decode()
    for slug in (*PAGES, "sounds"):
        assert f'href="/settings/{slug}/"' in page
    assert "类别" in page and "路由" in page and "提示音" in page and "/admin/rules/" not in page


# -- categories --------------------------------------------------------------------------------------------
def test_an_admin_adds_a_category_and_changes_its_priority_and_sound() -> None:
    client = client_for(admin())
    status, page = post(client, "/settings/categories/new", {
        "slug": "vip-order", "name": "大客户订单", "priority": "high", "sound": "chime", "expiry_seconds": "600",
        "template_zh": "大客户：{content}", "template_en": "{content}"})
    assert status == 200 and any("vip-order" in n for n in notices(page))
    category = Category.objects.get(slug="vip-order")
    assert (category.name, category.priority, category.sound, category.expiry_seconds, category.template_zh) == (
        "大客户订单", "high", "chime", 600, "大客户：{content}")
    post(client, f"/settings/categories/{category.pk}/", {
        "slug": "something-else", "name": "大客户", "priority": "urgent", "sound": "", "expiry_seconds": "",
        "template_zh": "{content}", "template_en": "{content}"})
    category.refresh_from_db()
    # the slug names topics: set once; an empty expiry is the loader's default
    assert (category.slug, category.name, category.priority, category.sound, category.expiry_seconds) == (
        "vip-order", "大客户", "urgent", "", 1800)


@pytest.mark.parametrize(("form", "field", "says"), [
    ({"slug": "vip order"}, "slug", "不可用"),
    ({"slug": "order"}, "slug", "已经存在"),
    ({"name": ""}, "name", "必填"),
    ({"name": "   "}, "name", "必填"),
    ({"name": "x" * 201}, "name", "201"),
    ({"name": "大\x00客户"}, "name", "控制字符"),
    ({"expiry_seconds": "0"}, "expiry_seconds", "0"),
    ({"expiry_seconds": "soon"}, "expiry_seconds", "整数"),
    ({"template_zh": "{customer}下单了"}, "template_zh", "{customer}"),
    ({"priority": "highest"}, "priority", "highest"),
])
def test_a_bad_category_is_refused_beside_its_field_in_chinese_and_nothing_is_saved(form: dict[str, str], field: str, says: str) -> None:
    before = dump_config()
    data = {"slug": "vip", "name": "大客户", "priority": "high", "sound": "", "expiry_seconds": "600",
            "template_zh": "{content}", "template_en": "{content}", **form}
    response = client_for(admin()).post("/settings/categories/new", data)
    page = response.content.decode()
    assert response.status_code == 400
    errors = field_errors(page, field)
    assert errors and says in errors[0], errors
    assert dump_config() == before and "Traceback" not in page


def test_a_category_that_stored_messages_belong_to_is_not_deleted() -> None:
    order = Category.objects.get(slug="order")
    Message.objects.create(source=Source.objects.create(name="s", url="http://127.0.0.1:1/"), dedup_key="1", content="x", category=order)
    response = client_for(admin()).post(f"/settings/categories/{order.pk}/", {"action": "delete"})
    assert response.status_code == 400
    assert any("1" in e and "order" in e for e in form_errors(response.content.decode()))
    assert Category.objects.filter(slug="order").exists()


# -- rules -----------------------------------------------------------------------------------------------------
def test_a_new_rule_goes_last_and_decides_what_the_hub_does_at_once() -> None:
    client = client_for(admin())
    assert pipeline_targets("VIP客户申请了提现")[0] == "withdrawal"
    status, page = post(client, "/settings/rules/new", rule_form(kind="regex", patterns="^VIP客户", category="order"))
    assert status == 200 and any("vip" in n for n in notices(page))
    assert list(Rule.objects.order_by("position", "id").values_list("name", flat=True))[-1] == "vip"
    # last, so the withdrawal keywords still decide; moved to the top by the overview's drag, it decides
    ids = list(Rule.objects.order_by("position", "id").values_list("pk", flat=True))
    client.post("/settings/rules/order", {"order": ",".join(map(str, [ids[-1], *ids[:-1]]))})
    assert pipeline_targets("VIP客户申请了提现")[0] == "order"


def test_editing_a_rule_keeps_its_place_and_renaming_it_leaves_no_copy_behind() -> None:
    rule = Rule.objects.order_by("position", "id")[2]
    before = list(Rule.objects.order_by("position", "id").values_list("pk", flat=True))
    status, _page = post(client_for(admin()), f"/settings/rules/{rule.pk}/", {
        "name": "renamed", "kind": rule.kind, "patterns": "\n".join([*rule.patterns, "新词"]),
        "category": rule.category.slug if rule.category else "", "priority": rule.priority, "conditions": ""})  # unticked: not sent
    assert status == 200
    names = list(Rule.objects.order_by("position", "id").values_list("name", flat=True))
    assert names[2] == "renamed" and rule.name not in names and len(names) == len(before)
    changed = Rule.objects.get(name="renamed")
    assert changed.patterns[-1] == "新词" and changed.enabled is False


@pytest.mark.parametrize(("form", "field", "says"), [
    ({"kind": "regex", "patterns": "订单(\\d+"}, "patterns", "正则表达式"),
    ({"kind": "regex", "patterns": "(a|aa)+$"}, "patterns", "(a|aa)+"),
    ({"patterns": "x" * 501}, "patterns", "501"),
    ({"patterns": "提\x00现"}, "patterns", "控制字符"),
    ({"patterns": ""}, "patterns", "必填"),
    ({"name": "n" * 101}, "name", "101"),
    ({"name": "keyword-order-zh"}, "name", "已经存在"),
    ({"category": "", "priority": ""}, "category", "类别"),
    ({"conditions": "[{\"path\": \"amount\""}, "conditions", "JSON"),
    ({"conditions": "[{\"path\": \"amount\", \"op\": \"≥\", \"value\": 5}]"}, "conditions", "≥"),
    ({"kind": "field", "patterns": "x"}, "patterns", "条件"),
])
def test_a_bad_rule_is_refused_as_the_loader_refuses_it_and_nothing_is_saved(form: dict[str, str], field: str, says: str) -> None:
    if form.get("name") == "keyword-order-zh":
        form = {**form, "name": Rule.objects.first().name}  # type: ignore[union-attr]
        says = "已经存在"
    before = dump_config()
    response = client_for(admin()).post("/settings/rules/new", rule_form(**form))
    page = response.content.decode()
    assert response.status_code == 400, page[:500]
    errors = field_errors(page, field)
    assert errors and says in errors[0], errors
    assert dump_config() == before and "Traceback" not in page


def test_a_refused_regular_expression_is_shown_as_typed_not_with_its_backslashes_doubled() -> None:
    """The loader quotes the pattern as Python writes it ('订单(\\\\d+'); the page shows what the person typed."""
    page = client_for(admin()).post("/settings/rules/new", rule_form(kind="regex", patterns="订单(\\d+")).content.decode()
    shown = field_errors(page, "patterns")[0]
    assert "“订单(\\d+”" in shown and "\\\\" not in shown, shown


def test_a_bad_regular_expression_is_the_same_refusal_as_in_a_configuration_file() -> None:
    """One source of truth: the page's refusal is the loader's, worded in the page's language."""
    boss = admin()
    client = english(client_for(boss), boss)
    page = client.post("/settings/rules/new", rule_form(kind="regex", patterns="(a|aa)+$")).content.decode()
    with pytest.raises(ConfigFileError) as refused:
        parse_text('[[rules]]\nname = "vip"\ncategory = "order"\nkind = "regex"\npatterns = ["(a|aa)+$"]\n')
    shown = field_errors(page, "patterns")[0]
    assert "backtracks catastrophically" in refused.value.reason and "(a|aa)+$" in shown and "nested or overlapping repeats" in shown


def test_a_rule_is_deleted_from_its_page() -> None:
    rule = Rule.objects.order_by("position", "id").last()
    assert rule is not None
    status, page = post(client_for(admin()), f"/settings/rules/{rule.pk}/", {"action": "delete"})
    assert status == 200 and not Rule.objects.filter(pk=rule.pk).exists() and any(rule.name in n for n in notices(page))


# -- routes -----------------------------------------------------------------------------------------------------
def test_an_admin_routes_orders_to_a_staff_member_and_the_hub_sends_them_there() -> None:
    assert Staff.objects.get(number="003").name == "王芳"  # the default organisation's finance clerk
    route = Route.objects.get(category__slug="order")
    assert pipeline_targets("客户张三提交了订单10023") == ("order", ["orders"])
    status, page = post(client_for(admin()), f"/settings/routes/{route.pk}/", route_form(category="order", target="staff:003"))
    assert status == 200 and notices(page)
    assert pipeline_targets("客户张三提交了订单10023") == ("order", ["003"])
    assert Route.objects.filter(category__slug="order").count() == 1


def test_routes_move_up_and_down_and_the_first_match_wins() -> None:
    client = client_for(admin())
    post(client, "/settings/routes/new", route_form(category="order", target="department:finance", min_amount="5000"))
    new = Route.objects.get(category__slug="order", department__slug="finance")
    assert new.min_amount == Decimal("5000")
    assert pipeline_targets("客户张三提交了订单10023，金额¥8,000.00")[1] == pipeline_targets("客户张三提交了订单10023")[1]
    for _ in range(Route.objects.count()):
        client.post(f"/settings/routes/{new.pk}/move", {"direction": "-1"})
    assert Route.objects.order_by("position", "id").first() == new
    assert "finance" in pipeline_targets("客户张三提交了订单10023，金额¥8,000.00")[1]
    assert "finance" not in pipeline_targets("客户张三提交了订单10023")[1]


@pytest.mark.parametrize(("form", "field", "says"), [
    ({"target": "staff:003", "staff_mode": "on_duty"}, "staff_mode", "部门"),
    ({"target": ""}, "target", "谁"),
    ({"target": "robots"}, "target", "列表"),
    ({"min_amount": "lots"}, "min_amount", "数字"),
    ({"min_amount": "1.234"}, "min_amount", "1.234"),
    ({"app": "a\x00b"}, "app", "控制字符"),
    ({"category": "order", "target": "department:orders"}, "target", "已经存在"),
])
@pytest.mark.clock
def test_a_bad_route_is_refused_beside_its_field_and_nothing_is_saved(form: dict[str, str], field: str, says: str) -> None:
    before = list(Route.objects.order_by("position", "id").values_list("pk", "category__slug", "department__slug", "staff__number"))
    response = client_for(admin()).post("/settings/routes/new", route_form(**form))
    page = response.content.decode()
    assert response.status_code == 400
    errors = field_errors(page, field) if field else form_errors(page)
    assert errors and says in errors[0], errors
    after = list(Route.objects.order_by("position", "id").values_list("pk", "category__slug", "department__slug", "staff__number"))
    assert after == before


# -- organisation --------------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_an_admin_builds_a_subsystem_a_department_and_a_person_with_shifts_and_a_login() -> None:
    client = client_for(admin())
    login("wang")
    post(client, "/settings/subsystems/new", {"slug": "shop2", "name": "二店"})
    post(client, "/settings/departments/new", {"slug": "shop2-orders", "name": "二店订单部", "subsystem": "shop2", "timezone": "Asia/Shanghai"})
    status, page = post(client, "/settings/staff/new", {
        "number": "301", "name": "王芳", "department": "shop2-orders", "contact": "", "timezone": "",
        "shifts": "mon,tue,wed,thu,fri 09:00-18:00\nsat 22:00-06:00", "alerts": "on", "login": "wang"})
    assert status == 200 and any("301" in n for n in notices(page))
    person = Staff.objects.select_related("department__subsystem", "user").get(number="301")
    assert (person.department.slug, person.department.subsystem.name, person.user.username) == ("shop2-orders", "二店", "wang")  # type: ignore[union-attr]
    assert sorted((s.weekday, f"{s.start:%H:%M}", f"{s.end:%H:%M}") for s in StaffShift.objects.filter(staff=person)) == [
        (0, "09:00", "18:00"), (1, "09:00", "18:00"), (2, "09:00", "18:00"), (3, "09:00", "18:00"), (4, "09:00", "18:00"),
        (5, "22:00", "06:00")]
    edit = client.get(f"/settings/staff/{person.pk}/").content.decode()
    assert "mon,tue,wed,thu,fri 09:00-18:00" in edit and '<option value="wang" selected>' in edit


@pytest.mark.clock
@pytest.mark.parametrize(("form", "field", "says"), [
    ({"shifts": "every day"}, "shifts", "第 1 行"),
    ({"shifts": "mon,someday 09:00-18:00"}, "shifts", "someday"),
    ({"shifts": "mon 9am-6pm"}, "shifts", "9am"),
    ({"shifts": "mon 09:00-18:00\nmon 09:00-12:00"}, "shifts", "两个班次"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
    ({"login": "li"}, "login", "101"),
    ({"login": "nobody"}, "login", "没有这个登录"),
    ({"number": "3 01"}, "number", "不可用"),
])
def test_a_bad_person_is_refused_beside_the_field_and_nobody_is_added(form: dict[str, str], field: str, says: str) -> None:
    orders_clerk()  # "li" is staff 101 already
    data = {"number": "301", "name": "王芳", "department": "orders", "contact": "", "timezone": "", "shifts": "", "login": "", **form}
    response = client_for(admin()).post("/settings/staff/new", data)
    page = response.content.decode()
    assert response.status_code == 400
    errors = field_errors(page, field)
    assert errors and says in errors[0], errors
    assert not Staff.objects.filter(number="301").exists()


def test_a_department_that_still_has_staff_is_not_deleted() -> None:
    finance_clerk()
    finance = Department.objects.get(slug="finance")
    response = client_for(admin()).post(f"/settings/departments/{finance.pk}/", {"action": "delete"})
    assert response.status_code == 400 and form_errors(response.content.decode())
    assert Department.objects.filter(slug="finance").exists()
    assert Subsystem.objects.filter(slug="ops").exists()


# -- escalation and digests -------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_an_admin_sets_and_clears_a_categorys_escalation() -> None:
    client = client_for(admin())
    order = Category.objects.get(slug="order")
    post(client, f"/settings/escalation/{order.pk}/", {"on": "on", "after_minutes": "3", "repeat": "1", "target": "department:service"})
    policy = EscalationPolicy.objects.get(category=order)
    assert (policy.after_minutes, policy.repeat, policy.escalate_to_department.slug) == (3, 1, "service")  # type: ignore[union-attr]
    # editing the category on its own page keeps the escalation
    post(client, f"/settings/categories/{order.pk}/", {"name": "订单", "priority": "high", "sound": "order-chime",
                                                       "expiry_seconds": "1800", "template_zh": "{content}", "template_en": "{content}"})
    assert EscalationPolicy.objects.filter(category=order).exists()
    response = client.post(f"/settings/escalation/{order.pk}/", {"on": "on", "after_minutes": "0", "repeat": "101", "target": ""})
    page = response.content.decode()
    assert "0" in field_errors(page, "after_minutes")[0] and "101" not in field_errors(page, "after_minutes")[0]
    assert EscalationPolicy.objects.get(category=order).after_minutes == 3
    post(client, f"/settings/escalation/{order.pk}/", {"after_minutes": "3", "repeat": "1", "target": ""})
    assert not EscalationPolicy.objects.filter(category=order).exists()


@pytest.mark.clock
def test_an_admin_sets_a_departments_digest_and_a_bad_window_is_refused() -> None:
    client = client_for(admin())
    orders = Department.objects.get(slug="orders")
    post(client, f"/settings/digests/{orders.pk}/", {"on": "on", "max_announcements": "4", "window_seconds": "30"})
    assert DigestPolicy.objects.filter(department=orders).values_list("max_announcements", "window_seconds").get() == (4, 30)
    response = client.post(f"/settings/digests/{orders.pk}/", {"on": "on", "max_announcements": "4", "window_seconds": "0"})
    assert response.status_code == 400 and field_errors(response.content.decode(), "window_seconds")
    assert DigestPolicy.objects.get(department=orders).window_seconds == 30
    assert client.get("/settings/digests/new").status_code == 404


# -- prompt sounds ----------------------------------------------------------------------------------------------------
@pytest.fixture
def data_dir(settings: SettingsWrapper, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path / "hub-data"
    return settings.DATA_DIR


def test_an_admin_uploads_a_sound_hears_it_and_gives_it_to_a_category(data_dir: Any) -> None:
    client = client_for(admin())
    status, page = post(client, "/settings/sounds/", {"name": "bell", "upload": SimpleUploadedFile("bell.ogg", encoded("OGG"))})
    assert status == 200 and any("bell" in n for n in notices(page))
    sound = PromptSound.objects.get(name="bell")
    assert sound.origin == PromptSound.UPLOADED and f'src="/sounds/{sound.sha256}.wav"' in page
    assert client.get(f"/sounds/{sound.sha256}.wav").status_code == 200
    post(client, "/settings/sounds/", {"action": "category", "category": "refund", "sound": "bell"})
    assert Category.objects.get(slug="refund").sound == "bell"


@pytest.mark.parametrize(("data", "name", "field", "says"), [
    (encoded("WAV", seconds=12.0, rate=48000, channels=2), "big", "upload", "文件太大"),
    (b"<html><body>Not Found</body></html>", "page", "upload", "不是音频"),
    (encoded("WAV", amplitude=0.0), "quiet", "upload", "静音"),
    (b"", "empty", "upload", "空"),
    (encoded("WAV"), "bad name!", "name", "字母"),
    (encoded("WAV"), "", "name", "空"),
])
def test_a_bad_sound_is_refused_beside_its_field_and_nothing_is_stored(data_dir: Any, data: bytes, name: str, field: str, says: str) -> None:
    count = PromptSound.objects.count()
    response = client_for(admin()).post("/settings/sounds/", {"name": name, "upload": SimpleUploadedFile("x.wav", data)})
    page = response.content.decode()
    assert response.status_code == 400
    errors = field_errors(page, field) if f'data-field="{field}"' in page else re.findall(r'field-error">(.*?)</p>', page)
    assert any(says in html.unescape(e) for e in errors), errors
    assert PromptSound.objects.count() == count


# -- languages, hostile requests, and the file round trip ---------------------------------------------------------------
@pytest.mark.clock
def test_an_admin_who_chose_english_reads_the_refusals_in_english() -> None:
    boss = admin()
    client = english(client_for(boss), boss)
    page = client.post("/settings/staff/new", {"number": "301", "name": "王芳", "department": "orders",
                                               "timezone": "Mars/Olympus", "shifts": "mon 9am-6pm"}).content.decode()
    assert field_errors(page, "timezone") == ["'Mars/Olympus' is not a time zone name like Asia/Shanghai"]
    assert "Staff" in page and "Shifts, one a line" in page  # the form label, capitalised where shown


def test_an_oversized_post_is_refused_without_a_traceback_and_saves_nothing(settings: SettingsWrapper) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = client_for(admin()).post("/settings/rules/new", rule_form(patterns="订单\n" * 60_000))
    assert response.status_code == 400 and b"Traceback" not in response.content
    assert not Rule.objects.filter(name="vip").exists()


def test_an_unknown_page_or_row_is_404() -> None:
    client = client_for(admin())
    assert client.get("/settings/nodes/").status_code == 404
    assert client.get("/settings/rules/999999/").status_code == 404
    assert client.post("/settings/categories/999999/", {"action": "delete"}).status_code == 404


@pytest.mark.clock
def test_what_the_pages_save_is_what_a_dump_writes_and_a_load_reads_back_unchanged() -> None:
    client = client_for(admin())
    post(client, "/settings/rules/new", rule_form(conditions='[{"path": "amount", "op": ">=", "value": 5000}]'))
    post(client, "/settings/routes/new", route_form(category="order", target="everyone", min_priority="urgent"))
    order = Category.objects.get(slug="order")
    post(client, f"/settings/escalation/{order.pk}/", {"on": "on", "after_minutes": "5", "repeat": "2", "target": ""})
    text = dump_config()
    assert 'name = "vip"' in text and "min_priority = \"urgent\"" in text and "after_minutes = 5" in text
    from hub.confio.load import apply_config

    report = apply_config(parse_text(text, "dump"))
    assert not any(t.created or t.updated or t.deleted for t in report.tables.values())


def test_an_admin_makes_a_login_manager_of_a_department_and_it_sees_that_departments_work() -> None:
    chen = login("chen")
    client = client_for(admin())
    finance = Department.objects.get(slug="finance")
    edit = client.get(f"/settings/departments/{finance.pk}/").content.decode()
    assert "财务部门 (finance)" in edit.split("<h1>", 1)[1].split("</h1>", 1)[0]  # the header names the row
    status, _page = post(client, f"/settings/departments/{finance.pk}/", {
        "name": "财务部门", "subsystem": "ops", "timezone": "", "managers": ["chen"]})
    assert status == 200
    from dashboard.roles import viewer_of

    viewer = viewer_of(chen)
    assert viewer is not None and viewer.managed == frozenset({"finance"})
    assert 'value="chen" checked' in client.get(f"/settings/departments/{finance.pk}/").content.decode()
    response = client.post(f"/settings/departments/{finance.pk}/", {"name": "财务部门", "subsystem": "ops", "managers": ["ghost"]})
    assert response.status_code == 400 and field_errors(response.content.decode(), "managers") == ["没有这个登录账号"]
    post(client, f"/settings/departments/{finance.pk}/", {"name": "财务部门", "subsystem": "ops"})
    assert viewer_of(chen).managed == frozenset()  # type: ignore[union-attr]


@pytest.mark.clock
def test_quiet_hours_are_checked_by_the_loader_and_a_bad_one_keeps_the_others() -> None:
    from hub.attention.models import QuietHours

    client = client_for(admin())
    window = {"action": "quiet-add", "department": "orders", "weekdays": ["fri", "sat"], "start": "22:00", "end": "07:00"}
    client.post("/settings/", window)
    client.post("/settings/", {**window, "weekdays": ["sun"], "start": "12:00", "end": "13:30", "timezone": "Asia/Shanghai"})
    assert QuietHours.objects.filter(department__slug="orders").count() == 2
    page = client.post("/settings/", {**window, "start": "25:00"}).content.decode()
    error = html.unescape(page.split('id="quiet"')[1].split('<p class="error">')[1].split("</p>")[0])
    assert error == "'25:00' 不是时间（例如 09:00）"
    assert QuietHours.objects.filter(department__slug="orders").count() == 2
    first = QuietHours.objects.get(department__slug="orders", weekdays="fri,sat")
    client.post("/settings/", {"action": "quiet-delete", "id": str(first.pk)})
    kept = QuietHours.objects.get(department__slug="orders")
    assert (kept.weekdays, f"{kept.start:%H:%M}", f"{kept.end:%H:%M}", kept.timezone) == ("sun", "12:00", "13:30", "Asia/Shanghai")


def test_deleting_a_category_says_which_rules_and_routes_went_with_it() -> None:
    client = client_for(admin())
    post(client, "/settings/categories/new", {"slug": "vip", "name": "大客户", "priority": "high"})
    post(client, "/settings/rules/new", rule_form(category="vip"))
    post(client, "/settings/routes/new", route_form(category="vip"))
    vip = Category.objects.get(slug="vip")
    status, page = post(client, f"/settings/categories/{vip.pk}/", {"action": "delete"})
    assert status == 200 and not Category.objects.filter(slug="vip").exists()
    said = notices(page)
    assert said[0] == "已删除 vip" and any("删除 vip 时一并删除了" in n and "rule" in n and "route" in n for n in said)
    assert not Rule.objects.filter(name="vip").exists() and not Route.objects.filter(category__slug="vip").exists()


@pytest.mark.clock
def test_the_overview_says_escalations_and_digests_in_the_persons_language() -> None:
    client = client_for(admin())
    order, orders = Category.objects.get(slug="order"), Department.objects.get(slug="orders")
    post(client, f"/settings/escalation/{order.pk}/", {"on": "on", "after_minutes": "3", "repeat": "1", "target": "department:service"})
    post(client, f"/settings/digests/{orders.pk}/", {"on": "on", "max_announcements": "4", "window_seconds": "30"})
    page = client.get("/settings/").content.decode()
    assert "订单 (order)：每 3 分钟，共 1 次 → 客服部门" in page and "订单部门：30 秒内超过 4 条：合并为一条摘要" in page


def test_the_routes_list_says_a_routes_conditions_in_words() -> None:
    client = client_for(admin())
    post(client, "/settings/routes/new", route_form(category="order", target="everyone", min_priority="urgent", min_amount="5000"))
    page = client.get("/settings/routes/").content.decode()
    assert "仅限此优先级及以上 紧急; 仅当金额不少于 5000" in page
