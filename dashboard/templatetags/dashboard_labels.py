from django import template

from hub.monitor.models import Alert
from hub.rules.models import Category

from ..labels import alert_headline as alert_headline_of

from ..labels import category_name as category_name_of
from ..labels import label as label_of

register = template.Library()


@register.filter
def label(code: str, kind: str) -> str:
    """``{{ m.priority|label:"priority" }}``: the word for a stored code, in the page's language."""
    return label_of(str(code), kind)


@register.filter
def category_name(category: Category | None) -> str:
    """``{{ m.category|category_name }}``: the category's name in the page's language ("unclassified" for none)."""
    return category_name_of(category)


@register.filter
def alert_headline(alert: Alert) -> str:
    """``{{ a|alert_headline }}``: what the alert is about, in the page's language."""
    return alert_headline_of(alert)
