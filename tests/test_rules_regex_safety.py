"""Admin regular expressions cannot stall the hub: a catastrophic one (``^(a|aa)+$`` took
3.8 s on 35 characters) is refused at load, in the config file and in the admin, with a
clear reason; one that slips past the probe gives up at match time and the message is
classified by the rules that follow; one stored before the probe existed is skipped."""

from __future__ import annotations

import logging

import pytest
import regex
from django.core.exceptions import ValidationError

from hub.confio.errors import ConfigFileError
from hub.rules.classify import Classifier, RuleError, compile_rule
from hub.rules.models import Category, Rule
from hub.rules.safe_regex import SafePattern, UnsafePattern, compile_pattern
from tests.test_confio import load_text

CATASTROPHIC = r"^(a|aa)+$"
RULE = '[[rules]]\nname = "doubled"\ncategory = "order"\nkind = "regex"\npatterns = ["订单\\\\d+", "{}"]\n'


@pytest.mark.parametrize("pattern", [CATASTROPHIC, r"^(ab|a|b)+$", r"(订|订订)+\d"])
def test_a_catastrophic_pattern_is_refused_naming_it_and_how_to_mend_it(pattern: str) -> None:
    with pytest.raises(UnsafePattern) as caught:
        compile_pattern(pattern)
    message = str(caught.value)
    assert message.startswith(repr(pattern)) and "backtracks catastrophically" in message
    assert "rewrite it without nested or overlapping repeats" in message and "\n" not in message


@pytest.mark.parametrize("pattern", [r"订单\d+", r"\binv-\d{4,}\b", r"order #?\d{4,}", r"(\d+)+$", r"^(\w+\s?)*$", "退款|refund"])
def test_ordinary_patterns_pass_the_probe_and_match_as_re_would(pattern: str) -> None:
    compiled = compile_pattern(pattern)
    for text in ("订单12345 已付款", "INV-20231 paid", "order #12345", "refund please", "hello world"):
        found = compiled.search(text)
        expected = regex.search(pattern, text, regex.I)
        assert (found.group() if found else None) == (expected.group() if expected else None)


def test_a_broken_pattern_says_what_is_wrong_once() -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule("broken", "regex", ["(unclosed"], "order")
    assert str(caught.value) == "rule broken: bad regular expression: '(unclosed': missing ) (at position 9)"


@pytest.mark.django_db
def test_the_config_file_refuses_it_at_load_naming_where() -> None:
    with pytest.raises(ConfigFileError) as caught:
        load_text(RULE.format(CATASTROPHIC.replace("\\", "\\\\")))
    assert caught.value.where == "rules[0].patterns"
    assert "backtracks catastrophically" in caught.value.reason
    assert not Rule.objects.filter(name="doubled").exists()


@pytest.mark.django_db
def test_the_admin_refuses_it_on_save() -> None:
    rule = Rule(name="doubled", kind="regex", patterns=[CATASTROPHIC], category=Category.objects.get(slug="order"))
    with pytest.raises(ValidationError, match="backtracks catastrophically"):
        rule.full_clean()


def test_a_search_that_runs_too_long_is_no_match_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    slipped = SafePattern(CATASTROPHIC, regex.compile(CATASTROPHIC))  # as if it had passed the probe
    with caplog.at_level(logging.WARNING, logger="hub.rules.safe_regex"):
        assert slipped.search("a" * 35 + "!") is None
    assert "gave up after 100 ms on a 36-character text" in caplog.text
    assert slipped.search("aaaa") is not None  # an ordinary text still matches


@pytest.mark.django_db
def test_a_stored_catastrophic_rule_is_skipped_and_the_rest_still_classify(caplog: pytest.LogCaptureFixture) -> None:
    Rule.objects.bulk_create([Rule(name="doubled", kind="regex", patterns=[CATASTROPHIC], position=0,
                                   category=Category.objects.get(slug="refund"))])  # past the admin's check
    with caplog.at_level(logging.ERROR, logger="hub.rules.classify"):
        classifier = Classifier.from_db()
    assert "rule doubled is skipped" in caplog.text
    assert classifier.classify("客户张三提交了订单10023").category == "order"


def test_a_search_keeps_the_gil_so_a_busy_process_does_not_queue_for_it_once_per_pattern() -> None:
    """With other threads runnable, a search that let the GIL go waited for it to come back, up to
    the switch interval (5 ms), per search: under a web process's load that was most of a webhook's
    time. Here two threads spin while this one searches; a search that let the GIL go would let
    a spinner run in between (its count moves). Letting go is not every time (this thread often
    takes the GIL back first), so 300 searches."""
    import threading

    rx = compile_pattern(r"(提现|取现).{0,10}(审核|申请)")
    count, stop = [0], threading.Event()

    def spin() -> None:
        while not stop.is_set():
            count[0] += 1

    spinners = [threading.Thread(target=spin, daemon=True) for _ in range(2)]
    let_go = 0
    try:
        for spinner in spinners:
            spinner.start()
        while count[0] == 0:
            pass
        for text in ("用户李四申请提现200元，请及时审核", "客户张三提交了订单10023，金额¥58.00，请及时处理") * 150:
            before = count[0]
            rx.search(text)
            let_go += count[0] != before
    finally:
        stop.set()
        for spinner in spinners:
            spinner.join()
    assert let_go == 0, f"{let_go} of 300 searches let the GIL go"
