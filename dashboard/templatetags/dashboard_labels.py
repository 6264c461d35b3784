from django import template

from ..labels import label as label_of

register = template.Library()


@register.filter
def label(code: str, kind: str) -> str:
    """``{{ m.priority|label:"priority" }}``: the word for a stored code, in the page's language."""
    return label_of(str(code), kind)
