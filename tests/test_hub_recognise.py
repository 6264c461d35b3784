"""Classification and routing with the default configuration alone."""

from __future__ import annotations

import pytest

import mqtt
from hub.rules.classify import Classifier, RuleError, compile_rule, detect_language
from hub.rules.routing import RouteTable
from tests.paths import SAMPLES
from tests.hub_helpers import read_samples

pytestmark = pytest.mark.django_db


def test_the_default_rules_classify_every_labelled_sample_correctly() -> None:
    classifier = Classifier.from_db()
    samples = read_samples(SAMPLES)
    wrong = [
        (s["content"], classifier.classify(s["content"], s.get("type", "")), s["expected_category"])
        for s in samples
        if classifier.classify(s["content"], s.get("type", "")).category != s["expected_category"]
    ]
    assert len(samples) >= 40
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The border of the page is broken", "other"),  # "order" only on a word boundary
        ("ORDER #5 PLACED BY ANNA", "order"),  # English case-insensitively
        ("客户申请退款，订单号123", "refund"),  # a refund mentions an order, and is a refund
        ("买家对订单发起申诉", "appeal"),
        ("Refund requested for order #9", "refund"),
    ],
)
def test_keywords_match_on_word_boundaries_and_specific_events_win_over_order(text: str, expected: str) -> None:
    assert Classifier.from_db().classify(text).category == expected


def test_the_platform_type_field_decides_before_keywords() -> None:
    verdict = Classifier.from_db().classify("Anna placed order #7", "refund.requested")
    assert (verdict.category, verdict.rule) == ("refund", "type-refund")


def test_a_message_no_rule_matches_goes_to_the_learned_fallback_and_without_one_to_other() -> None:
    verdict = Classifier.from_db().classify("今天天气不错")
    assert (verdict.category, verdict.rule) == ("other", "model")
    without_model = Classifier([r for r in Classifier.from_db().rules])
    assert (without_model.classify("今天天气不错").category, without_model.classify("今天天气不错").rule) == ("other", "default")


def test_a_bad_rule_is_refused_with_its_name() -> None:
    with pytest.raises(RuleError, match="rule broken: bad regular expression"):
        compile_rule("broken", "regex", ["(unclosed"], "order")
    with pytest.raises(RuleError, match="non-empty list"):
        compile_rule("empty", "keyword", [], "order")


def test_orders_go_to_the_order_department() -> None:
    assert RouteTable.from_db().targets("order") == [mqtt.Route("ops", "orders")]


def test_withdrawals_go_to_finance_and_to_staff_003() -> None:
    assert RouteTable.from_db().targets("withdrawal") == [
        mqtt.Route("ops", "finance"),
        mqtt.Route("ops", "finance", "003"),
    ]


def test_language_is_detected_from_chinese_characters() -> None:
    assert detect_language("客户张三提交了订单10023") == "zh"
    assert detect_language("Customer Alice placed order #1") == "en"
