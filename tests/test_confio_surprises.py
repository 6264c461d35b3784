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
