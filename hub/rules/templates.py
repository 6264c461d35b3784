"""What a speaker says: a category's template in the message's language.

Placeholders: ``{content}`` (the platform's sentence), ``{user}``, ``{amount}``
(the amount as the content writes it, ``¥3,000.00``; empty when there is
none), ``{app}``, ``{source}``, ``{category_name}``. ``{{`` and ``}}`` are
literal braces. The defaults keep the platform's own sentence (``{content}``):
platforms already write "客户张三提交了订单10023", and saying it as written
sounds natural.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

DEFAULT_TEMPLATE = "{content}"
PLACEHOLDERS = ("content", "user", "amount", "app", "source", "category_name")
MAX_SPOKEN = 2000  # mqtt.messages.MAX_TEXT


class TemplateError(ValueError):
    pass


def check_template(template: str) -> None:
    """Refuse unknown placeholders, format specs and unbalanced braces."""
    if not template.strip():
        raise TemplateError("must not be empty")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"{exc} (write {{{{ and }}}} for literal braces)") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            raise TemplateError(f"unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})")
        if spec or conversion:
            raise TemplateError(f"{{{name}}} takes no format or conversion")


def render(template: str, values: Mapping[str, str]) -> str:
    """The template filled in; a template that does not check says the content as it is."""
    filled = {name: values.get(name, "") for name in PLACEHOLDERS}
    try:
        check_template(template)
        text = template.format_map(filled)
    except (TemplateError, ValueError):
        text = filled["content"]
    return (text.strip() or filled["content"])[:MAX_SPOKEN]
