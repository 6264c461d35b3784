"""``load`` never surprises: changing a category's keywords leaves the rule order alone, and a
load that does reorder rules prints the new order."""

from __future__ import annotations

import pytest

from hub.confio.load import apply_config
from hub.confio.parse import parse_text
from hub.rules.models import Rule

pytestmark = pytest.mark.django_db

REFUND_KEYWORDS_ONLY = """
[[categories]]
slug = "refund"
name = "退款"
priority = "high"
sound = "alert"
expiry_seconds = 3600
keywords = ["退款", "退货", "refund", "money back please"]
"""


def order() -> list[str]:
    return list(Rule.objects.order_by("position", "id").values_list("name", flat=True))


def test_changing_a_categorys_keywords_keeps_its_rule_where_it_was() -> None:
    before = order()
    report = apply_config(parse_text(REFUND_KEYWORDS_ONLY, "refund.toml"))
    assert order() == before
    assert Rule.objects.get(name="refund-keywords").patterns == ["退款", "退货", "refund", "money back please"]
    assert [line for line in report.lines() if "order" in line and "note" in line] == []
    assert "not in the file" not in "\n".join(report.lines())


def test_a_new_categorys_keyword_rule_goes_last() -> None:
    text = '[[categories]]\nslug = "invoice"\nname = "发票"\nkeywords = ["发票", "invoice"]\n'
    apply_config(parse_text(text, "invoice.toml"))
    assert order()[-1] == "invoice-keywords"


def test_a_load_that_reorders_rules_prints_the_new_order() -> None:
    text = '[[rules]]\nname = "refund-keywords"\ncategory = "refund"\nkind = "keyword"\npatterns = ["退款", "refund"]\n'
    report = apply_config(parse_text(text, "first.toml"))
    [note] = [line for line in report.lines() if "rules are now in this order" in line]
    assert note.split("order: ", 1)[1].split(", ")[0] == "refund-keywords"
    assert note.split("order: ", 1)[1].split(", ") == order()

    again = apply_config(parse_text(text, "first.toml"))
    assert not [line for line in again.lines() if "rules are now in this order" in line]


@pytest.mark.clock
def test_a_dump_is_a_full_backup_of_attention_settings_and_loading_it_is_a_no_op() -> None:
    from datetime import time

    from hub.attention.models import DigestPolicy, EscalationPolicy, QuietHours
    from hub.confio.dump import dump_config
    from hub.monitor.models import AlertRecipient
    from hub.org.models import Department, SpeakerNode, Staff
    from hub.rules.models import Category

    service, finance = Department.objects.get(slug="service"), Department.objects.get(slug="finance")
    EscalationPolicy.objects.create(category=Category.objects.get(slug="appeal"), after_minutes=7, repeat=3, escalate_to_department=finance)
    EscalationPolicy.objects.create(category=Category.objects.get(slug="refund"), after_minutes=10, repeat=1, escalate_to_staff=Staff.objects.get(number="003"))
    QuietHours.objects.create(department=service, weekdays="fri,sat", start=time(22), end=time(7), timezone="Asia/Shanghai")
    QuietHours.objects.create(department=service, weekdays="sun", start=time(0), end=time(9))
    DigestPolicy.objects.create(department=service, max_announcements=3, window_seconds=120)
    AlertRecipient.objects.create(staff=Staff.objects.get(number="003"))
    SpeakerNode.objects.create(node_id="spk-service-1", department=service, volume=35)

    text = dump_config()
    for words in ("escalation = {", "quiet_hours = [", "digest = {", "alerts = true", "volume = 35"):
        assert words in text, words
    assert not apply_config(parse_text(text, "backup.toml")).changed

    EscalationPolicy.objects.all().delete()
    QuietHours.objects.all().delete()
    DigestPolicy.objects.all().delete()
    AlertRecipient.objects.all().delete()
    report = apply_config(parse_text(text, "backup.toml"))
    assert "categories: updated appeal (escalation), refund (escalation)" in "\n".join(report.lines())
    appeal = EscalationPolicy.objects.get(category__slug="appeal")
    assert (appeal.after_minutes, appeal.repeat, appeal.escalate_to_department) == (7, 3, finance)
    assert EscalationPolicy.objects.get(category__slug="refund").escalate_to_staff == Staff.objects.get(number="003")
    windows = {(q.weekdays, q.start, q.end, q.timezone) for q in QuietHours.objects.all()}
    assert windows == {("fri,sat", time(22), time(7), "Asia/Shanghai"), ("sun", time(0), time(9), "")}
    assert DigestPolicy.objects.get(department=service).window_seconds == 120
    assert AlertRecipient.objects.filter(staff__number="003").exists()
    assert not apply_config(parse_text(text, "backup.toml")).changed


def test_an_escalation_to_an_unknown_department_is_refused_with_the_place() -> None:
    from hub.confio.errors import ConfigFileError

    text = '[[categories]]\nslug = "appeal"\nname = "申诉"\nescalation = { after_minutes = 5, department = "nowhere" }\n'
    with pytest.raises(ConfigFileError) as refused:
        apply_config(parse_text(text, "x.toml"))
    assert "categories[0].escalation.department" in str(refused.value)
