"""Configuration as code: `shopcrier-hub load FILE.toml` and `shopcrier-hub dump`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.confio.dump import dump_config
from hub.confio.errors import ApplyError, ConfigFileError, DumpError
from hub.confio.load import apply_config
from hub.confio.parse import MAX_FILE_BYTES, parse_text, read_config
from hub.confio.report import Report
from hub.confio.toml_writer import value as toml_value
from hub.intake.models import Message, Source
from hub.org.models import Department, SpeakerNode, Staff, Subsystem
from hub.rules.defaults import DEFAULTS
from hub.rules.models import Category, Route, Rule
from hub.sounds.language import hub_language
from tests.paths import REPO

pytestmark = pytest.mark.django_db

# The example of DESIGN.md, "Configuration as code", as it is written there.
DESIGN_EXAMPLE = """\
[hub]
base_topic = "shopcrier"
language = "zh"

[[sources]]
name = "main-shop"
adapter = "generic"            # generic | woocommerce | shopify | simulator
url = "http://127.0.0.1:8001/api/messages"
interval = "5s"                # seconds, minutes or hours: 5s, 2m, 1h
auth = { type = "bearer", token_env = "SHOP_TOKEN" }
items = "data.items"           # where the list sits in the JSON reply
cursor = { param = "since_id", field = "id" }
fields = { id = "id", user = "user.name", content = "content", type = "type", app = "app", created_at = "created_at" }

[[subsystems]]
slug = "ops"
name = "运营事业部"

[[departments]]
slug = "finance"
subsystem = "ops"
name = "财务部门"

[[staff]]
number = "003"
name = "王芳"
department = "finance"

[[categories]]
slug = "withdrawal"
name = "提现"
keywords = ["提现", "withdraw"]
priority = "high"
sound = "chime"

[[routes]]
category = "withdrawal"
department = "finance"
staff = ["003"]

[[nodes]]
id = "spk-finance-1"
department = "finance"
"""

# Everything the file can say, with strings that are hard to write back.
RICH = r"""
[[sources]]
name = "woo"
adapter = "woocommerce"
url = "https://shop.example.com/wp-json/wc/v3/orders?status=processing"
interval = "2m"
auth = { type = "woocommerce", key_env = "WC_KEY", secret_env = "WC_SECRET", in = "query" }
items = ""
cursor = { param = "after", field = "date_created_gmt", type = "timestamp", overlap = "30s" }
fields = { id = "id", content = "note", created_at = "date_created_gmt" }
pagination = { type = "page", param = "page", size_param = "per_page", size = 50 }
webhook = { secret_env = "WOO_WEBHOOK_SECRET" }

[[sources]]
name = "sim"
adapter = "simulator"
url = "http://127.0.0.1:8001/api/messages"
interval = "1s"
enabled = false

[[sources]]
name = "feed"
url = "https://feed.example.com/events"
interval = "1h"
auth = { type = "header", name = "X-Api-Key", value_env = "FEED_KEY" }
pagination = { type = "next", path = "links.next" }

[[sources]]
name = "legacy"
url = "http://10.0.0.5:8080/notices"
auth = { type = "basic", user = "crier", password_env = "LEGACY_PASSWORD" }
pagination = { type = "link_header" }
cursor = { param = "since", field = "seq", overlap = 0 }

[[subsystems]]
slug = "ops"
name = "运营事业部"

[[subsystems]]
slug = "hq"
name = "总部 \"HQ\" \\ main"

[[departments]]
slug = "finance"
subsystem = "ops"
name = "财务部门"

[[departments]]
slug = "legal"
subsystem = "hq"
name = "法务 & Compliance"

[[staff]]
number = "003"
name = "王芳"
department = "finance"

[[staff]]
number = "017"
name = "O'Brien, Pat"
department = "legal"
contact = "pat@example.com"

[[categories]]
slug = "invoice"
name = "发票 'tax' \"invoice\""
priority = "urgent"
expiry = "2h"
keywords = ["发票", "invoice", "tax receipt"]

[[categories]]
slug = "withdrawal"
name = "提现"
priority = "high"
sound = "chime"
expiry_seconds = 3600

[[rules]]
name = "invoice-regex"
category = "invoice"
kind = "regex"
patterns = ['\binv-\d{4,}\b', "it's \\d+ \"quoted\""]

[[rules]]
name = "old-invoice-type"
category = "invoice"
kind = "type"
patterns = ["invoice.*"]
enabled = false

[[routes]]
category = "invoice"
department = "legal"
staff = ["017", "003"]
continue = true

[[routes]]
category = "invoice"
everyone = true

[[nodes]]
id = "spk-legal-1"
department = "legal"
staff = ["017", "003"]
description = "前台 speaker, 2nd floor"

[[nodes]]
id = "spk-finance-1"
department = "finance"
enabled = false
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    def write_file(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


def load_text(text: str, **options: Any) -> Report:
    return apply_config(parse_text(text, "test.toml"), **options)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def table_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every configuration row, ids included, to compare before and after."""
    return {
        "subsystems": list(Subsystem.objects.order_by("pk").values_list()),
        "departments": list(Department.objects.order_by("pk").values_list()),
        "staff": list(Staff.objects.order_by("pk").values_list()),
        "categories": list(Category.objects.order_by("pk").values_list()),
        "rules": list(Rule.objects.order_by("pk").values_list()),
        "routes": list(Route.objects.order_by("pk").values_list()),
        "sources": list(Source.objects.order_by("pk").values_list()),
        "nodes": list(SpeakerNode.objects.order_by("pk").values_list()),
        "node_staff": list(SpeakerNode.staff.through.objects.order_by("pk").values_list()),
    }


# -- loading ---------------------------------------------------------------------------------------------
def test_the_design_example_loads_as_written() -> None:
    report = load_text(DESIGN_EXAMPLE)

    assert report.changed
    source = Source.objects.get(name="main-shop")
    assert (source.adapter, source.url, source.interval_seconds, source.items_path) == (
        "generic", "http://127.0.0.1:8001/api/messages", 5, "data.items",
    )
    assert source.auth == {"type": "bearer", "token_env": "SHOP_TOKEN"}
    assert source.cursor_config == {"param": "since_id", "field": "id"}
    assert source.fields["user"] == "user.name" and "user_id" not in source.fields
    withdrawal = Category.objects.get(slug="withdrawal")
    assert (withdrawal.priority, withdrawal.sound) == ("high", "chime")
    rule = Rule.objects.get(name="withdrawal-keywords")
    assert rule.category is not None
    assert (rule.kind, rule.patterns, rule.category.slug) == ("keyword", ["提现", "withdraw"], "withdrawal")
    routes = [
        (r.department and r.department.slug, r.staff and r.staff.number, r.continue_matching)
        for r in Route.objects.filter(category__slug="withdrawal")
    ]
    assert routes == [("finance", None, True), (None, "003", False)]
    node = SpeakerNode.objects.get(node_id="spk-finance-1")
    assert node.department.slug == "finance" and node.enabled
    assert report.counts("sources") == (1, 0, 0, 0) and report.counts("nodes") == (1, 0, 0, 0)
    assert hub_language() == "zh" and report.counts("hub") == (0, 0, 1, 0)  # the default, already in force


def test_loading_the_same_file_twice_changes_nothing_the_second_time() -> None:
    load_text(DESIGN_EXAMPLE)
    before = table_rows()
    with CaptureQueriesContext(connection) as queries:
        again = load_text(DESIGN_EXAMPLE)
    assert not again.changed
    assert writes(queries) == []
    assert table_rows() == before
    assert "nothing changed" in again.lines()[0]


def test_the_default_configuration_file_matches_a_fresh_install() -> None:
    before = table_rows()
    report = apply_config(read_config(DEFAULTS))
    assert not report.changed, report.lines()
    assert table_rows() == before


def test_an_edited_file_updates_only_what_changed_and_keeps_ids() -> None:
    load_text(DESIGN_EXAMPLE)
    source_id = Source.objects.get(name="main-shop").pk
    edited = DESIGN_EXAMPLE.replace('interval = "5s"', 'interval = "2m"').replace('priority = "high"', 'priority = "urgent"')

    report = load_text(edited)

    source = Source.objects.get(name="main-shop")
    assert (source.pk, source.interval_seconds) == (source_id, 120)
    assert Category.objects.get(slug="withdrawal").priority == "urgent"
    assert report.tables["sources"].updated == [("main-shop", ("interval",))]
    assert report.tables["categories"].updated == [("withdrawal", ("priority",))]
    assert report.counts("staff") == (0, 0, 1, 0)


def test_a_key_taken_out_of_the_file_returns_to_its_default() -> None:
    load_text(DESIGN_EXAMPLE)
    load_text(DESIGN_EXAMPLE.replace('sound = "chime"\n', "").replace("auth = { type = \"bearer\", token_env = \"SHOP_TOKEN\" }\n", ""))
    assert Category.objects.get(slug="withdrawal").sound == ""
    assert Source.objects.get(name="main-shop").auth == {}


def test_a_load_never_touches_a_sources_cursor_or_health() -> None:
    load_text(DESIGN_EXAMPLE)
    Source.objects.filter(name="main-shop").update(cursor="1234", etag='"abc"', consecutive_failures=3)
    load_text(DESIGN_EXAMPLE.replace('interval = "5s"', 'interval = "10s"'))
    source = Source.objects.get(name="main-shop")
    assert (source.cursor, source.etag, source.consecutive_failures, source.interval_seconds) == ("1234", '"abc"', 3, 10)


def test_a_simulator_source_takes_the_simulators_settings_unless_the_file_says_otherwise() -> None:
    load_text('[[sources]]\nname = "sim"\nadapter = "simulator"\nurl = "http://127.0.0.1:8001/api/messages"\n')
    source = Source.objects.get(name="sim")
    assert source.cursor_config == {"param": "since", "field": "seq"} and source.interval_seconds == 5


def test_a_route_with_several_targets_reaches_them_all_then_stops_as_the_file_says() -> None:
    load_text(RICH)
    rows = [
        (r.department and r.department.slug, r.staff and r.staff.number, r.everyone, r.continue_matching)
        for r in Route.objects.filter(category__slug="invoice").order_by("position")
    ]
    assert rows == [("legal", None, False, True), (None, "017", False, True), (None, "003", False, True), (None, None, True, False)]


def test_keywords_on_a_category_become_a_rule_after_the_explicit_rules() -> None:
    load_text(RICH)
    names = list(Rule.objects.order_by("position").values_list("name", flat=True))
    assert names[:3] == ["invoice-regex", "old-invoice-type", "invoice-keywords"]
    assert Rule.objects.get(name="invoice-keywords").patterns == ["发票", "invoice", "tax receipt"]
    assert Category.objects.get(slug="invoice").expiry_seconds == 7200


def test_rows_the_file_does_not_name_are_kept_after_the_files_and_listed() -> None:
    report = load_text(RICH)
    names = list(Rule.objects.order_by("position").values_list("name", flat=True))
    assert names[3:] == [
        "type-refund", "type-appeal", "type-withdrawal", "type-onboarding", "type-system", "type-order",
        "system-keywords", "system-http-5xx", "appeal-keywords", "refund-keywords", "withdrawal-keywords",
        "onboarding-keywords", "order-keywords", "large-withdrawal-or-refund", "large-order",
    ]
    assert "order-keywords" in report.tables["rules"].kept
    assert "order→orders" in report.tables["routes"].kept
    assert any("rules: not in the file, kept, after the file's: type-refund" in line and "--prune" in line for line in report.lines())
    assert "type-refund" in report.tables["rules"].moved and report.counts("rules") == (3, 15, 0, 0)
    assert Department.objects.filter(slug="orders").exists()


def test_prune_deletes_what_the_file_does_not_name() -> None:
    text = RICH.replace("[[categories]]\nslug = \"invoice\"", "[[categories]]\nslug = \"other\"\nname = \"其他\"\n\n[[categories]]\nslug = \"invoice\"")
    report = load_text(text, prune=True)
    assert set(Category.objects.values_list("slug", flat=True)) == {"other", "invoice", "withdrawal"}
    assert set(Rule.objects.values_list("name", flat=True)) == {"invoice-regex", "old-invoice-type", "invoice-keywords"}
    assert set(Department.objects.values_list("slug", flat=True)) == {"finance", "legal"}
    assert "order" in report.tables["categories"].deleted and "service" in report.tables["departments"].deleted
    assert not load_text(text, prune=True).changed


def test_prune_will_not_delete_the_fallback_category() -> None:
    before = table_rows()
    with pytest.raises(ApplyError, match="will not delete 'other'"):
        load_text(RICH, prune=True)
    assert table_rows() == before


def test_prune_will_not_delete_a_source_that_has_stored_messages() -> None:
    load_text(RICH)
    Message.objects.create(source=Source.objects.get(name="feed"), dedup_key="k1", content="x")
    before = table_rows()
    without_feed = RICH.split('[[sources]]\nname = "feed"')[0] + "[[subsystems]]" + RICH.split("[[subsystems]]", 1)[1]
    with pytest.raises(ApplyError, match="sources: will not delete 'feed': 1 stored messages.*enabled = false"):
        load_text(without_feed, prune=True)
    assert table_rows() == before


def test_a_table_missing_from_the_file_is_left_alone() -> None:
    before = table_rows()
    report = load_text('[[sources]]\nname = "solo"\nurl = "https://a.example/x"\n', prune=True)
    assert report.counts("sources") == (1, 0, 0, 0)
    after = table_rows()
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_a_dry_run_reports_and_writes_nothing() -> None:
    before = table_rows()
    report = load_text(DESIGN_EXAMPLE, dry_run=True)
    assert report.changed and report.lines()[-1] == "dry run: nothing was written"
    assert table_rows() == before


# -- refusing bad input ----------------------------------------------------------------------------------------
SOURCE = '[[sources]]\nname = "a"\nurl = "https://a.example/x"\n'
BAD_FILES = [
    # (file text, where, reason fragment)
    (SOURCE + '[[sources]]\nname = "b"\nurl = "https://b.example/x"\ninterval = "5d"\n', "sources[1].interval", "'5d': write a whole number"),
    (SOURCE.replace('"a"\n', '"a"\ninterval = 5\n'), "sources[0].interval", 'must be a string like "5s"'),
    (SOURCE + 'colour = "red"\n', "sources[0].colour", "unknown key"),
    (SOURCE.replace("https://a.example/x", "ftp://a.example/x"), "sources[0].url", "http:// or https://"),
    (SOURCE + 'auth = { type = "kerberos" }\n', "sources[0].auth.type", "'kerberos' is not one of none, bearer"),
    (SOURCE + 'auth = { type = "bearer" }\n', "sources[0].auth.token_env", "is required"),
    (SOURCE + 'pagination = { type = "next" }\n', "sources[0].pagination.path", "is required"),
    (SOURCE + 'pagination = { type = "page", param = "p", size = 0 }\n', "sources[0].pagination.size", "outside 1..10000"),
    (SOURCE + 'auth = { type = "woocommerce", key_env = "K", secret_env = "S", in = "body" }\n', "sources[0].auth.in", "not one of basic, query"),
    (SOURCE + 'auth = { type = "shopify", token_env = "T", user = "u" }\n', "sources[0].auth.user", "unknown key"),
    (SOURCE + 'cursor = { param = "since", field = "id", step = 1 }\n', "sources[0].cursor.step", "unknown key"),
    (SOURCE + 'cursor = { param = "since", field = "id", type = "uuid" }\n', "sources[0].cursor.type", "is not one of id, timestamp"),
    (SOURCE + 'fields = { body = "text" }\n', "sources[0].fields.body", "unknown field"),
    (SOURCE + "enabled = 1\n", "sources[0].enabled", "must be true or false, not an integer"),
    ('[[subsystems]]\nslug = "ops/x"\nname = "x"\n', "subsystems[0].slug", "must be a slug"),
    ('[[subsystems]]\nslug = "ops"\n', "subsystems[0].name", "is required"),
    ('[[subsystems]]\nslug = "ops"\nname = ""\n', "subsystems[0].name", "must not be empty"),
    ('[[subsystems]]\nslug = "ops"\nname = "a\\nb"\n', "subsystems[0].name", "control characters"),
    ('[[subsystems]]\nslug = "ops"\nname = "' + "x" * 201 + '"\n', "subsystems[0].name", "at most 200"),
    ('[[subsystems]]\nslug = "x"\nname = "x"\n[[subsystems]]\nslug = "x"\nname = "y"\n', "subsystems[1].slug", "already defined at subsystems[0]"),
    ('[[departments]]\nslug = "d"\nsubsystem = "nope"\nname = "D"\n', "departments[0].subsystem", "no subsystem 'nope'"),
    ('[[staff]]\nnumber = "9"\nname = "N"\ndepartment = "nope"\n', "staff[0].department", "no department 'nope'"),
    ('[[categories]]\nslug = "c"\nname = "C"\nexpiry_seconds = "soon"\n', "categories[0].expiry_seconds", "must be an integer, not a string"),
    ('[[categories]]\nslug = "c"\nname = "C"\nexpiry_seconds = 0\n', "categories[0].expiry_seconds", "outside 1..86400"),
    ('[[categories]]\nslug = "c"\nname = "C"\nexpiry = "1m"\nexpiry_seconds = 60\n', "categories[0].expiry", "not both"),
    ('[[categories]]\nslug = "c"\nname = "C"\npriority = "loud"\n', "categories[0].priority", "'loud' is not one of normal, high, urgent"),
    ('[[categories]]\nslug = "c"\nname = "C"\nkeywords = []\n', "categories[0].keywords", "must not be empty"),
    ('[[categories]]\nslug = "order"\nname = "O"\nkeywords = ["x"]\n[[rules]]\nname = "order-keywords"\ncategory = "order"\nkind = "keyword"\npatterns = ["y"]\n', "categories[0].keywords", "'order-keywords' is already defined at rules[0]"),
    ('[[rules]]\nname = "r"\ncategory = "order"\nkind = "regex"\npatterns = ["(unclosed"]\n', "rules[0].patterns", "bad regular expression"),
    ('[[rules]]\nname = "r"\ncategory = "order"\nkind = "magic"\npatterns = ["x"]\n', "rules[0].kind", "'magic' is not one of type, keyword, regex"),
    ('[[rules]]\nname = "r"\ncategory = "order"\nkind = "type"\npatterns = ["x", 3]\n', "rules[0].patterns[1]", "must be a string, not an integer"),
    ('[[rules]]\nname = "r"\ncategory = "nope"\nkind = "type"\npatterns = ["x"]\n', "rules[0].category", "no category 'nope'"),
    ('[[routes]]\ncategory = "order"\n', "routes[0]", "names no target"),
    ('[[routes]]\ncategory = "nope"\ndepartment = "orders"\n', "routes[0].category", "no category 'nope'"),
    ('[[routes]]\ncategory = "order"\ndepartment = "nope"\n', "routes[0].department", "no department 'nope'"),
    ('[[routes]]\ncategory = "order"\nstaff = ["003", "999"]\n', "routes[0].staff", "no staff member '999'"),
    ('[[routes]]\ncategory = "order"\nstaff = "003"\n[[routes]]\ncategory = "order"\nstaff = ["003"]\n', "routes[1]", "already at routes[0]"),
    ('[[nodes]]\nid = "n1"\ndepartment = "orders"\nstaff = ["999"]\n', "nodes[0].staff", "no staff member '999'"),
    ('[[nodes]]\nid = "n 1"\ndepartment = "orders"\n', "nodes[0].id", "must be a slug"),
    ("[hub]\nbase_topic = \"other\"\n", "hub.base_topic", "SHOPCRIER_BASE_TOPIC='shopcrier'"),
    ("[hub]\nlanguage = \"Chinese\"\n", "hub.language", "not a language code"),
    ("[hub]\nlanguage = \"ja\"\n", "hub.language", "the hub's own prompts are worded in zh or en"),
    ("[hub]\ncolour = 1\n", "hub.colour", "unknown key"),
    ('[[categories]]\nslug = "order"\nname = "订单"\nsound = "order chime"\n', "categories[0].sound", "must be a slug"),
    ('[[sourcez]]\nname = "a"\n', "sourcez", "unknown key (known: categories, channels, departments,"),
    ('sources = "main"\n', "sources", "must be an array of tables"),
    ("sources = [1]\n", "sources[0]", "must be a table"),
    (SOURCE.replace('"a"\n', '"a"\nadapter = "magento"\n'), "sources[0].adapter", "'magento' is not one of generic, woocommerce"),
    (SOURCE.replace("https://a.example/x", "https://exa mple.com/x"), "sources[0].url", "Enter a valid URL"),
]


@pytest.mark.parametrize(("text", "where", "reason"), BAD_FILES, ids=[w + ":" + r[:20] for _, w, r in BAD_FILES])
def test_a_bad_file_is_refused_naming_table_index_and_key_and_nothing_is_written(text: str, where: str, reason: str) -> None:
    before = table_rows()
    with pytest.raises(ConfigFileError) as caught:
        load_text(text)
    assert caught.value.where == where, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"test.toml: {where}: ")
    assert table_rows() == before


def test_a_problem_found_late_rolls_back_what_was_already_written() -> None:
    # categories are written before sources are checked against the adapters
    text = '[[categories]]\nslug = "order"\nname = "changed"\n' + SOURCE.replace('"a"\n', '"a"\nadapter = "magento"\n')
    with pytest.raises(ConfigFileError, match="sources\\[0\\].adapter"):
        load_text(text)
    assert Category.objects.get(slug="order").name == "订单"


SECRET = "sk_live_51HxQ-very-secret"
INLINE_SECRETS = [
    (SOURCE + f'token = "{SECRET}"\n', "sources[0].token"),
    (SOURCE + f'consumer_secret = "{SECRET}"\n', "sources[0].consumer_secret"),
    (SOURCE + f'auth = {{ type = "bearer", token = "{SECRET}" }}\n', "sources[0].auth.token"),
    (SOURCE + f'auth = {{ token = "{SECRET}" }}\n', "sources[0].auth.token"),
    (SOURCE + f'auth = {{ type = "basic", user = "u", password = "{SECRET}" }}\n', "sources[0].auth.password"),
    (SOURCE + f'auth = {{ type = "header", name = "X-Key", value = "{SECRET}" }}\n', "sources[0].auth.value"),
    (SOURCE + f'auth = {{ type = "query", param = "key", api_key = "{SECRET}" }}\n', "sources[0].auth.api_key"),
    (SOURCE + f'webhook = {{ secret = "{SECRET}" }}\n', "sources[0].webhook.secret"),
    (f'password = "{SECRET}"\n', "password"),
]


@pytest.mark.parametrize(("text", "where"), INLINE_SECRETS, ids=[w for _, w in INLINE_SECRETS])
def test_an_inline_secret_is_refused_with_what_to_do_and_is_never_repeated(text: str, where: str) -> None:
    with pytest.raises(ConfigFileError) as caught:
        load_text(text)
    assert caught.value.where == where
    assert "put the secret in an environment variable and name it with token_env" in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "what"),
    [(f"https://user:{SECRET}@a.example/x", "credentials"), (f"https://a.example/x?consumer_secret={SECRET}", "'consumer_secret'")],
)
def test_a_secret_in_a_url_is_refused(url: str, what: str) -> None:
    with pytest.raises(ConfigFileError, match=what) as caught:
        load_text(SOURCE.replace("https://a.example/x", url))
    assert caught.value.where == "sources[0].url" and SECRET not in str(caught.value)


def test_an_env_key_holding_the_secret_itself_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigFileError, match="must name an environment variable") as caught:
        load_text(SOURCE + f'auth = {{ type = "bearer", token_env = "{SECRET}" }}\n')
    assert caught.value.where == "sources[0].auth.token_env" and SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[[sources]\n", "not valid TOML: Expected ']]'"),
        (b'name = "\xff"\n', "is not UTF-8"),
        (b"a = " + b"[" * 50_000, "nested too deeply"),
        (b"# padding\n" * (MAX_FILE_BYTES // 10 + 1), f"at most {MAX_FILE_BYTES}"),
    ],
    ids=["syntax", "encoding", "nesting", "size"],
)
def test_a_file_that_is_not_a_configuration_file_is_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigFileError, match=reason) as caught:
        read_config(path)
    assert str(caught.value).startswith(str(path))


def test_a_missing_file_or_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="no such file"):
        read_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigFileError, match="is a directory"):
        read_config(tmp_path)


# -- dump --------------------------------------------------------------------------------------------------------
def test_dumping_a_fresh_install_and_loading_it_back_changes_nothing() -> None:
    text = dump_config()
    before = table_rows()
    with CaptureQueriesContext(connection) as queries:
        report = load_text(text, prune=True)
    assert not report.changed, report.lines()
    assert writes(queries) == [] and table_rows() == before
    assert report.lines() == ["test.toml: nothing changed"]


def test_a_rich_configuration_survives_dump_and_load_unchanged() -> None:
    load_text(RICH)
    text = dump_config()
    before = table_rows()
    with CaptureQueriesContext(connection) as queries:
        report = load_text(text, prune=True)
    assert not report.changed, report.lines()
    assert writes(queries) == [] and table_rows() == before
    assert dump_config() == text
    # the characters survive as written
    document = tomllib.loads(text)
    assert document["subsystems"][1]["name"] == '总部 "HQ" \\ main'
    rules = {r["name"]: r for r in document["rules"]}
    assert rules["invoice-regex"]["patterns"] == [r"\binv-\d{4,}\b", 'it\'s \\d+ "quoted"']
    assert rules["old-invoice-type"]["enabled"] is False
    assert "'\\binv-\\d{4,}\\b'" in text  # a regular expression is written as a literal string
    assert "运营事业部" in text  # not \u escapes


def test_a_dump_shows_secrets_only_by_name() -> None:
    load_text(RICH)
    text = dump_config()
    assert 'auth = { type = "woocommerce", key_env = "WC_KEY", secret_env = "WC_SECRET", in = "query" }' in text
    assert 'value_env = "FEED_KEY"' in text and 'password_env = "LEGACY_PASSWORD"' in text


def test_a_dump_refuses_an_inline_secret_put_in_through_the_admin_and_does_not_print_it() -> None:
    Source.objects.create(name="leaky", url="https://a.example/x", auth={"type": "bearer", "token": SECRET})
    with pytest.raises(DumpError, match=r"sources\[0\]\.auth\.token: looks like an inline secret") as caught:
        dump_config()
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["plain", "中文 text", 'quote " and \\ backslash', "it's", "\\d+ and 'quote'", "tab\tnew\nline\r", "\x00\x1f\x7f", "🙂 emoji", "", "\u2028"],
)
def test_the_writer_writes_strings_that_read_back_the_same(text: str) -> None:
    assert tomllib.loads(f"k = {toml_value(text)}")["k"] == text
    assert tomllib.loads(f"k = {toml_value({'a b': [text, 1, True], 'c': {}})}")["k"] == {"a b": [text, 1, True], "c": {}}


# -- the commands -----------------------------------------------------------------------------------------------
def test_the_load_command_prints_what_changed(write: Callable[[str], Path]) -> None:
    path = write(DESIGN_EXAMPLE)
    out = io.StringIO()
    call_command("load", str(path), stdout=out)
    assert "sources: created main-shop" in out.getvalue()
    again = io.StringIO()
    call_command("load", str(path), stdout=again)
    assert again.getvalue().startswith(f"{path}: nothing changed")


def test_the_load_command_refuses_a_bad_file_with_exit_status_2(write: Callable[[str], Path]) -> None:
    path = write(SOURCE + 'interval = "5d"\n')
    with pytest.raises(CommandError) as caught:
        call_command("load", str(path))
    assert caught.value.returncode == 2
    assert str(caught.value) == f"{path}: sources[0].interval: '5d': write a whole number of seconds, minutes or hours: 5s, 2m, 1h\nnothing was loaded"


def test_the_dump_command_writes_a_file_that_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    call_command("dump", "-o", str(path), stderr=io.StringIO())
    out = io.StringIO()
    call_command("load", str(path), "--prune", stdout=out)
    assert out.getvalue().startswith(f"{path}: nothing changed")
    printed = io.StringIO()
    call_command("dump", stdout=printed)
    assert printed.getvalue() == path.read_text(encoding="utf-8")


def test_shopcrier_hub_load_exits_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SHOPCRIER_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        "SHOPCRIER_BASE_TOPIC": "shopcrier",
    }

    def hub(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub.manage", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
        )

    assert hub("migrate", "-v0").returncode == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(SOURCE + 'auth = { type = "bearer", token = "sk_live_x" }\n', encoding="utf-8")
    refused = hub("load", str(bad))
    assert refused.returncode == 2
    assert f"{bad}: sources[0].auth.token: looks like an inline secret" in refused.stderr
    assert "Traceback" not in refused.stderr and "sk_live_x" not in refused.stderr

    no_other = tmp_path / "no-other.toml"
    no_other.write_text('[[categories]]\nslug = "order"\nname = "订单"\n', encoding="utf-8")
    blocked = hub("load", "--prune", str(no_other))
    assert blocked.returncode == 1
    assert "will not delete 'other'" in blocked.stderr and "Traceback" not in blocked.stderr

    good = tmp_path / "good.toml"
    good.write_text(DESIGN_EXAMPLE, encoding="utf-8")
    assert hub("load", str(good)).returncode == 0
    second = hub("load", str(good))
    assert second.returncode == 0 and second.stdout.startswith(f"{good}: nothing changed")


def test_the_hub_language_is_stored_reported_and_dumped_and_english_stays_available() -> None:
    assert hub_language() == "zh"  # a fresh install

    report = load_text('[hub]\nlanguage = "en"\n')

    assert hub_language() == "en"
    assert report.counts("hub") == (0, 1, 0, 0) and "hub.language: 'zh' -> 'en'" in report.notes
    assert parse_text(dump_config(), "dump").hub.language == "en"
    assert load_text('[hub]\nlanguage = "en"\n').changed is False
    load_text('[hub]\nlanguage = "zh"\n')
    assert hub_language() == "zh"
