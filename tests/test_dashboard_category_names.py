"""A category's name in the reader's language: the Chinese ``name``, or ``name_en`` for someone who
reads English (the Chinese name when it has none), on every page that shows one: the feed (rows,
groups, the filter), a message's story, the settings pages, the sounds page, statistics (reports,
exports, trend charts) and the acknowledge link's page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

import dashboard.clock
from dashboard.labels import category_name
from dashboard.models import Preference
from hub.notify.links import ack_link
from hub.rules.models import Category
from hub.sounds.language import set_hub_language
from hub.stats.fill import fill
from tests.attention_helpers import announced
from tests.dashboard_helpers import admin, client_for
from tests.notify_helpers import bot
from tests.stats_helpers import handled

pytestmark = pytest.mark.django_db


def english(user: User) -> None:
    Preference.objects.update_or_create(user=user, defaults={"language": "en"})


@pytest.fixture
def refunds() -> Category:
    """The built-in refund category (its English name comes with the defaults) and one of our own without one."""
    Category.objects.create(slug="vip", name="大客户")
    refund = Category.objects.get(slug="refund")
    assert (refund.name, refund.name_en) == ("退款", "Refund")
    return refund


def test_the_built_in_categories_have_english_names_from_the_defaults() -> None:
    english_names = dict(Category.objects.values_list("slug", "name_en"))
    assert {slug: english_names[slug] for slug in ("order", "refund", "withdrawal", "onboarding", "other")} == {
        "order": "Order", "refund": "Refund", "withdrawal": "Withdrawal", "onboarding": "New merchant", "other": "Other"}


def test_the_name_follows_the_language_and_english_falls_back_to_the_chinese_name(refunds: Category) -> None:
    vip = Category.objects.get(slug="vip")
    assert [refunds.name_in(lang) for lang in ("zh-hans", "zh", "en", "en-us")] == ["退款", "退款", "Refund", "Refund"]
    assert vip.name_in("en") == "大客户"


@pytest.mark.parametrize(("lang", "refund", "absent"), [("zh", "退款", "Refund"), ("en", "Refund", "退款")])
def test_feed_story_and_settings_show_the_name_in_the_readers_language(refunds: Category, lang: str, refund: str,
                                                                       absent: str) -> None:
    message = announced("用户王五申请退款，订单10019", category_slug="refund", dept="finance")
    vip = announced("大客户张三下单", category_slug="vip")
    boss = admin()
    if lang == "en":
        english(boss)
    client = client_for(boss)
    feed = client.get("/?group=0").content.decode()
    rows = feed.split('id="rows"')[1]
    assert f'<span class="cat">{refund}</span>' in rows and '<span class="cat">大客户</span>' in rows
    assert f'<option value="refund" >{refund}</option>' in feed.replace("selected", "")
    grouped = client.get("/").content.decode().split('id="rows"')[1]
    assert f'<span class="cat">{refund}</span>' in grouped
    story = client.get(f"/m/{message.pk}/").content.decode()
    assert f"<b>{refund}</b> (refund)" in story
    assert "<b>大客户</b> (vip)" in client.get(f"/m/{vip.pk}/").content.decode()
    overview = client.get("/settings/").content.decode()
    assert f">{refund}</a> (refund)" in overview
    rules = overview.split('id="rules"')[1].split("</table>")[0]
    assert f"<td>{refund}</td>" in rules and "<td>refund</td>" not in rules  # the rules' and routes' category column
    assert f"{refund} (refund)" in client.get("/settings/routes/new").content.decode()  # the category choices
    assert f"{refund} (refund)" in client.get("/settings/sounds/").content.decode()
    assert f"<td>{refund}</td>" in client.get("/settings/escalation/").content.decode().replace(' data-label="Name"', "").replace(
        ' data-label="名称"', "")
    for page in (rows, story, overview):
        assert f">{absent}<" not in page


@pytest.mark.clock
@pytest.mark.parametrize(("lang", "refund"), [("zh", "退款"), ("en", "Refund")])
def test_statistics_and_their_exports_name_categories_in_the_readers_language(refunds: Category, lang: str, refund: str,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(dashboard.clock, "now", lambda: noon + timedelta(hours=1))
    handled("用户王五申请退款，订单10019", noon, dept="finance", category_slug="refund")
    handled("大客户张三下单", noon, category_slug="vip")
    fill(noon + timedelta(hours=1))
    boss = admin()
    if lang == "en":
        english(boss)
    client = client_for(boss)
    found = client.get("/stats/api/category?from=2026-11-20&to=2026-11-25").json()
    assert {r["key"]: r["label"] for r in found["rows"]} == {"refund": refund, "vip": "大客户"}
    assert refund in client.get("/stats/category.csv?from=2026-11-20&to=2026-11-25").getvalue().decode("utf-8-sig")
    trends = client.get("/stats/api/trends?from=2026-11-20&to=2026-11-25").json()
    assert {s["key"]: s["label"] for s in trends["by_category"]["series"]} == {"refund": refund, "vip": "大客户"}


@pytest.mark.parametrize(("lang", "headline"), [("zh", "【重要】退款"), ("en", "[important] Refund")])
def test_the_acknowledge_link_page_names_the_category_in_the_hubs_language(refunds: Category, lang: str,
                                                                          headline: str) -> None:
    set_hub_language(lang)
    message = announced("用户王五申请退款，订单10019", category_slug="refund", dept="finance", priority="high")
    link = ack_link(message.pk, bot("finance-group", "FINANCE_BOT", department="finance"))
    page = Client().get("/notify/" + link.split("/notify/", 1)[1]).content.decode()
    assert f"<h1>{headline}</h1>" in page


def test_outside_a_page_the_helper_says_unclassified_for_no_category() -> None:
    assert category_name(None) in ("未分类", "unclassified")


# -- the configuration file and the settings page ------------------------------------------------------------
VIP = '[[categories]]\nslug = "vip"\nname = "大客户"\nname_en = "Key account"\n'


def test_the_english_name_loads_from_the_file_dumps_back_and_loads_again_unchanged() -> None:
    from hub.confio.dump import dump_config
    from hub.confio.load import apply_config
    from hub.confio.parse import parse_text

    apply_config(parse_text(VIP, "test.toml"))
    assert Category.objects.get(slug="vip").name_en == "Key account"
    text = dump_config()
    assert 'name_en = "Key account"' in text and 'name_en = "Refund"' in text
    report = apply_config(parse_text(text, "test.toml"), prune=True)
    assert not report.changed, report.lines()
    assert dump_config() == text
    # taken out of the file, it returns to its default: none (the Chinese name is shown)
    apply_config(parse_text(VIP.replace('name_en = "Key account"\n', ""), "test.toml"))
    assert Category.objects.get(slug="vip").name_en == ""
    assert "name_en" not in dump_config().split('slug = "vip"')[1].split("[[")[0]


@pytest.mark.parametrize(("value", "reason"), [("3", "must be a string"), ('"a\\tb"', "control characters"),
                                               ('"' + "x" * 201 + '"', "at most 200")])
def test_a_bad_english_name_in_the_file_is_refused_naming_its_key(value: str, reason: str) -> None:
    from hub.confio.errors import ConfigFileError
    from hub.confio.parse import parse_text

    with pytest.raises(ConfigFileError) as caught:
        parse_text(VIP.replace('"Key account"', value), "test.toml")
    assert caught.value.where == "categories[0].name_en" and reason in caught.value.reason


def test_an_admin_sets_the_english_name_on_the_category_page_and_english_pages_show_it(refunds: Category) -> None:
    boss = admin()
    client = client_for(boss)
    vip = Category.objects.get(slug="vip")
    form = client.get(f"/settings/categories/{vip.pk}/").content.decode()
    assert 'name="name_en"' in form
    reply = client.post(f"/settings/categories/{vip.pk}/", {"name": "大客户", "name_en": "Key account", "priority": "high",
                                                          "sound": "", "expiry_seconds": "600", "template_zh": "{content}",
                                                          "template_en": "{content}"})
    assert reply.status_code == 302, reply.content.decode()[:2000]
    vip.refresh_from_db()
    assert (vip.name, vip.name_en) == ("大客户", "Key account")
    announced("大客户张三下单", category_slug="vip")
    assert '<span class="cat">大客户</span>' in client.get("/?group=0").content.decode()
    english(boss)
    assert '<span class="cat">Key account</span>' in client.get("/?group=0").content.decode()
    # refused beside its field, nothing saved
    refused = client.post(f"/settings/categories/{vip.pk}/", {"name": "大客户", "name_en": "x" * 201, "priority": "high",
                                                            "expiry_seconds": "600", "template_zh": "{content}",
                                                            "template_en": "{content}"})
    assert refused.status_code == 400 and "201" in refused.content.decode()
    vip.refresh_from_db()
    assert vip.name_en == "Key account"


def test_an_older_install_gets_the_built_in_english_names_unless_an_admin_renamed_the_category() -> None:
    """rules/0007 on a database made before it: every built-in category had no English name."""
    from django.apps import apps

    from hub.rules.defaults import english_names

    Category.objects.update(name_en="")
    Category.objects.filter(slug="refund").update(name="退款申请")  # an admin's own name: theirs to translate
    english_names(apps)
    names = dict(Category.objects.values_list("slug", "name_en"))
    assert names["order"] == "Order" and names["withdrawal"] == "Withdrawal" and names["refund"] == ""
    Category.objects.filter(slug="order").update(name_en="Purchase")
    english_names(apps)  # one an admin set is kept
    assert Category.objects.get(slug="order").name_en == "Purchase"
