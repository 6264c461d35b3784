"""Recognition with the default rules: categories, raised priorities, both Chinese scripts.

The default rule set must classify everyday platform messages correctly with no
tuning: the labelled samples, and the realistic cases below (simplified and
traditional Chinese, English, the platform's type field, and the tricky ones).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hub.intake.adapters import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.pipeline import Pipeline
from hub.rules.classify import Classifier, RuleError, compile_rule
from hub.rules.facts import Facts, find_amount
from hub.rules.hanzi import to_simplified
from hub.rules.models import Category, Rule
from tests.hub_helpers import read_samples
from tests.paths import SAMPLES

pytestmark = pytest.mark.django_db

CASES = [  # (text, platform type, category, priority)
    # order
    ("客户李雷提交了订单20231125001", "", "order", "normal"),
    ("客戶韓梅梅提交了訂單10086，請盡快發貨", "", "order", "normal"),
    ("新訂單：陳小明購買了3件商品", "", "order", "normal"),
    ("买家王磊已付款，等待发货", "", "order", "normal"),
    ("Customer Tom Hanks placed an order for 2 items", "", "order", "normal"),
    ("NEW ORDER #30012 from Lucy Liu", "", "order", "normal"),
    ("Jane purchased a gift card", "", "order", "normal"),
    ("大客户赵总下单采购办公椅，金额6800元", "", "order", "high"),
    ("Order #30020 placed by Acme Corp, total $12,500.00", "", "order", "high"),
    # appeal
    ("买家刘洋对订单10021发起申诉：收到的商品破损", "", "appeal", "high"),
    ("顧客周杰對訂單10033提出申訴，要求賠償", "", "appeal", "high"),
    ("用户投诉客服态度差", "", "appeal", "high"),
    ("客戶投訴快遞員態度惡劣", "", "appeal", "high"),
    ("Buyer Sam disputed order #30030: wrong size", "", "appeal", "high"),
    ("A customer complained that the parcel was opened", "", "appeal", "high"),
    ("Chargeback filed by card issuer for order #30031", "", "appeal", "high"),
    # refund
    ("客户申请退款，订单号10044，金额99.00元", "", "refund", "high"),
    ("顧客申請退款，訂單號10045", "", "refund", "high"),
    ("买家申请退货，订单10046，原因：质量问题", "", "refund", "high"),
    ("Refund requested for order #30040 ($25.00)", "", "refund", "high"),
    ("Customer Amy asked for her money back: refund of order #30041", "", "refund", "high"),
    ("大额退款：客户孙丽申请退款，订单10047，金额￥9,999.00", "", "refund", "urgent"),
    # withdrawal
    ("商家刘芳申请提现，金额1200元", "", "withdrawal", "high"),
    ("商家劉芳申請提現，金額3200元，請及時審核", "", "withdrawal", "high"),
    ("分销商张伟申请提现到支付宝，金额5000元", "", "withdrawal", "urgent"),
    ("店鋪申請提現 ¥20,000.00", "", "withdrawal", "urgent"),
    ("Vendor Kim requested a payout of $4,999.99", "", "withdrawal", "high"),
    ("Seller Max requested a withdrawal of $7,500.00", "", "withdrawal", "urgent"),
    ("推广员申请提现1.2万元", "", "withdrawal", "urgent"),
    # onboarding
    ("新商家「好味道」申请入驻平台", "", "onboarding", "normal"),
    ("新商家「好味道」申請入駐平台，請審核資質", "", "onboarding", "normal"),
    ("新用户王小二注册成功", "", "onboarding", "normal"),
    ("新用戶王小二註冊成功", "", "onboarding", "normal"),
    ("New seller application from Sunny Bakery", "", "onboarding", "normal"),
    ("Jenny signed up for a new account", "", "onboarding", "normal"),
    # system
    ("订单同步接口超时，已重试3次", "", "system", "urgent"),
    ("訂單同步接口超時，已重試3次", "", "system", "urgent"),
    ("支付服务宕机，所有订单无法支付", "", "system", "urgent"),
    ("Order sync failed: connection refused by the database", "", "system", "urgent"),
    ("Webhook delivery timed out after 30s", "", "system", "urgent"),
    ("Storefront returned HTTP 502 for order pages", "", "system", "urgent"),
    # other
    ("The border color of the banner needs fixing", "", "other", "normal"),
    ("买家咨询：这件衣服有红色的吗", "", "other", "normal"),
    ("Reorder the product photos on the homepage", "", "other", "normal"),
    ("Customer left a 4-star review", "", "other", "normal"),
    ("今天的直播预告已发布", "", "other", "normal"),
    # the platform's type field
    ("Liam #30050", "order.paid", "order", "normal"),
    ("Mona ¥8000", "withdraw.apply", "withdrawal", "urgent"),
    ("Nina order #30051", "refund.created", "refund", "high"),
]


def recognise(text: str, platform_type: str = "", **fields: object) -> tuple[str, str, str]:
    found = Pipeline.from_db().recognition(Facts(content=text, type=platform_type, **fields))  # type: ignore[arg-type]
    assert found.category is not None
    return found.category.slug, found.priority, found.rule


def test_the_default_rules_classify_every_labelled_sample_with_its_priority() -> None:
    samples = read_samples(SAMPLES)
    got = [(recognise(s["content"], s.get("type", ""))[0], s["expected_category"]) for s in samples]
    assert [g for g in got if g[0] != g[1]] == []
    # the one sample of 5000 or more (金额8000元) is the one urgent withdrawal
    urgent = [s["content"] for s in samples if recognise(s["content"], s.get("type", ""))[1] == "urgent"]
    assert [u for u in urgent if "提现" in u] == ["姜维申请提现到银行卡，金额8000元"]


@pytest.mark.parametrize(("text", "platform_type", "category", "priority"), CASES)
def test_the_default_rules_recognise_everyday_messages(text: str, platform_type: str, category: str, priority: str) -> None:
    assert recognise(text, platform_type)[:2] == (category, priority)


def test_there_are_realistic_cases_for_every_category_in_both_scripts_and_english() -> None:
    assert len(CASES) >= 40
    assert {c[2] for c in CASES} == {"order", "appeal", "refund", "withdrawal", "onboarding", "system", "other"}
    assert any(to_simplified(c[0]) != c[0] for c in CASES)  # traditional Chinese is among them


def test_traditional_chinese_matches_the_simplified_keywords_and_reports_the_term_as_written() -> None:
    verdict = Classifier.from_db().classify("用戶李四申請了提現，請及時審核")
    assert (verdict.category, verdict.rule, verdict.matched) == ("withdrawal", "withdrawal-keywords", "提現")
    assert to_simplified("訂單 退款 申訴 提現 入駐 註冊 投訴 貨 購買 審核") == "订单 退款 申诉 提现 入驻 注册 投诉 货 购买 审核"


def test_a_traditional_keyword_written_by_an_admin_matches_simplified_text() -> None:
    rule = compile_rule("invoice", "keyword", ["發票"], "other")
    assert Classifier([rule]).classify("客户索要发票").rule == "invoice"


def test_tricky_messages_go_to_the_specific_category() -> None:
    assert recognise("客户申请退款，订单号123")[0] == "refund"  # a refund mentions an order
    assert recognise("The border of the page is broken")[0] == "other"  # "order" only as a word
    assert recognise("订单服务接口异常，无法创建订单")[0] == "system"  # a fault that mentions orders
    assert recognise("Refund requested for order #9")[0] == "refund"


def test_the_deciding_rule_is_stored_with_the_message_and_a_priority_rule_does_not_replace_it() -> None:
    source = Source.objects.create(name="shop", url="http://127.0.0.1:9/api")
    items = [Item(content="姜维申请提现到银行卡，金额8000元", external_id="1"), Item(content="今天天气不错", external_id="2")]
    store_page(source, Page(items=items, rejects=[], cursor=None, more=False), Pipeline.from_db())
    big, chat = Message.objects.order_by("external_id")
    assert (big.category and big.category.slug, big.priority, big.rule) == ("withdrawal", "urgent", "withdrawal-keywords")
    # no rule matches chat: the learned fallback decides it is other
    assert (chat.category and chat.category.slug, chat.priority, chat.rule) == ("other", "normal", "model")


# -- field conditions and priority rules ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("店铺吴九发起提现申请 ¥3,000.00", Decimal("3000")),
        ("Seller Bob requested a withdrawal of $450.00", Decimal("450")),
        ("姜维申请提现，金额8000元", Decimal("8000")),
        ("客户孙七申请退款，订单号10031，金额128.00元", Decimal("128")),
        ("推广员申请提现1.2万元", Decimal("12000")),
        ("客户张三提交了订单10023", None),  # an order number is not money
    ],
)
def test_the_amount_is_read_from_the_content_in_the_ways_platforms_write_it(text: str, amount: Decimal | None) -> None:
    found = find_amount(text)
    assert (found.value if found else None) == amount


def test_a_priority_rule_does_not_stop_category_matching_and_only_raises() -> None:
    vip = compile_rule("vip", "keyword", ["VIP"], None, priority="urgent")
    lower = compile_rule("lower", "field", [], None, priority="normal", conditions=[{"path": "amount", "op": ">", "value": 0}])
    order = compile_rule("order-words", "keyword", ["order"], "order")
    classifier = Classifier([vip, lower, order])
    verdict = classifier.judge(Facts(content="VIP customer placed order #1 for $10"))
    assert (verdict.category, verdict.rule, verdict.priority, verdict.raised_by) == ("order", "order-words", "urgent", ("vip", "lower"))


def test_a_field_rule_with_a_category_decides_on_a_raw_field() -> None:
    rule = compile_rule(
        "big-ticket", "field", [], "order", priority="high", conditions=[{"path": "raw.order.total", "op": ">=", "value": 5000}]
    )
    classifier = Classifier([rule])
    assert classifier.judge(Facts(content="x", raw={"order": {"total": "5200.50"}})).priority == "high"
    assert classifier.judge(Facts(content="x", raw={"order": {"total": 10}})).category == "other"
    assert classifier.judge(Facts(content="x")).category == "other"  # no such field: the condition fails


def test_conditions_compare_text_in_lists_and_equality_case_insensitively() -> None:
    rule = compile_rule("mobile", "field", [], "other", priority="high", conditions=[{"path": "app", "op": "in", "value": ["iOS", "android"]}])
    assert Classifier([rule]).judge(Facts(content="hi", app="ios")).rule == "mobile"
    assert Classifier([rule]).judge(Facts(content="hi", app="web")).rule == "default"


def test_a_priority_rule_added_in_the_database_applies_to_the_next_message() -> None:
    Rule.objects.create(
        position=1000, name="vip", kind="keyword", patterns=["VIP"], priority="urgent", category=None
    )
    assert recognise("VIP客户提交了订单10023")[:2] == ("order", "urgent")


@pytest.mark.parametrize(
    ("kind", "patterns", "category", "extra", "message"),
    [
        ("field", [], "order", {}, "needs at least one condition"),
        ("field", ["x"], "order", {"conditions": [{"path": "amount", "op": ">", "value": 1}]}, "not patterns"),
        ("keyword", ["x"], None, {}, "give a category, a priority, or both"),
        ("keyword", ["x"], "order", {"conditions": [{"path": "amount", "op": "~", "value": 1}]}, "op '~'"),
        ("keyword", ["x"], "order", {"conditions": [{"path": "colour", "op": "==", "value": 1}]}, "path 'colour'"),
        ("keyword", ["x"], "order", {"conditions": [{"path": "amount", "op": ">=", "value": "lots"}]}, "needs a number"),
        ("keyword", ["x"], "order", {"priority": "panic"}, "priority 'panic'"),
    ],
)
def test_a_malformed_rule_is_refused_with_the_reason(
    kind: str, patterns: list[str], category: str | None, extra: dict[str, object], message: str
) -> None:
    with pytest.raises(RuleError, match=message):
        compile_rule("r", kind, patterns, category, **extra)  # type: ignore[arg-type]


def test_the_system_category_announces_what_it_is_and_others_say_the_platforms_sentence() -> None:
    system, order = Category.objects.get(slug="system"), Category.objects.get(slug="order")
    assert (system.template_zh, system.template_en) == ("系统告警：{content}", "System alert: {content}")
    assert (order.template_zh, order.template_en) == ("{content}", "{content}")


# -- shopcrier-hub classify ---------------------------------------------------------------------------------
def run_classify(*args: str) -> tuple[list[dict[str, object]], str, int]:
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command("classify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        status = exc.returncode
        err.write(str(exc))
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), status


def test_classify_prints_category_priority_rule_and_match_for_a_text() -> None:
    (result,), _, status = run_classify("店鋪申請提現 ¥6,000.00")
    assert status == 0
    assert result == {
        "category": "withdrawal",
        "priority": "urgent",
        "decided_by": "rule",
        "rule": "withdrawal-keywords",
        "matched": "提現",
        "confidence": None,
        "review": False,
    }


def test_classify_takes_the_platform_type() -> None:
    (result,), _, _ = run_classify("Liam #30061", "--type", "refund.requested")
    assert (result["category"], result["rule"]) == ("refund", "type-refund")


def test_classify_reports_bad_jsonl_lines_by_number_and_still_classifies_the_good_ones(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "m-1", "content": "客户张三提交了订单10023", "expected_category": "order"}, ensure_ascii=False),
        "{not json",
        json.dumps({"content": "Mona ¥8000", "type": "withdraw.apply"}),
        "",
        json.dumps(["content"]),
        json.dumps({"content": "  "}),
    ]
    path = tmp_path / "messages.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results, err, status = run_classify("--jsonl", str(path))
    assert status == 1
    assert [(r["line"], r["category"], r["priority"]) for r in results] == [(1, "order", "normal"), (3, "withdrawal", "urgent")]
    assert (results[0]["id"], results[0]["expected"], results[0]["rule"]) == ("m-1", "order", "order-keywords")
    assert f"{path}:2: not JSON" in err and f"{path}:5: must be a JSON object" in err and f'{path}:6: needs "content"' in err
    assert f"{path}:4" not in err  # a blank line is not a message


def test_classify_on_the_labelled_samples_agrees_with_every_label() -> None:
    results, err, status = run_classify("--jsonl", str(SAMPLES))
    assert (status, err) == (0, "")
    assert len(results) >= 40 and all(r["category"] == r["expected"] for r in results)


def test_classify_wants_text_or_a_file() -> None:
    with pytest.raises(CommandError, match="give TEXT or --jsonl FILE"):
        call_command("classify")
