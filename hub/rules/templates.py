"""What a speaker says: a category's template in the message's language.

Placeholders: ``{content}`` (the platform's sentence), ``{user}``, ``{amount}``
(from the source's amount field, said with its currency, ``50.50英镑`` /
``£50.50``; else as the content writes it, ``¥3,000.00``; empty when there is
none), ``{currency}``, ``{id}`` (the platform's id), ``{user_id}``, ``{type}``,
``{app}``, ``{source}``, ``{category_name}``, and any field of the platform's
item as ``{raw.<dotted path>}`` (``{raw.number}``, ``{raw.shipping_address.city}``;
empty when an item has no such field). ``{{`` and ``}}`` are literal braces. The defaults keep the platform's own sentence (``{content}``):
platforms already write "客户张三提交了订单10023", and saying it as written
sounds natural.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping

DEFAULT_TEMPLATE = "{content}"
PLACEHOLDERS = ("content", "user", "amount", "app", "source", "category_name", "currency", "id", "user_id", "type")
RAW = "raw."
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
        if name.startswith(RAW) and len(name) > len(RAW) and not any(c in name for c in "[] "):
            pass
        elif name not in PLACEHOLDERS:
            raise TemplateError(
                f"unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)}; "
                f"a field of the platform's item is {{raw.<dotted path>}}, e.g. {{raw.number}})"
            )
        if spec or conversion:
            raise TemplateError(f"{{{name}}} takes no format or conversion")


def render(template: str, values: Mapping[str, str], raw: Callable[[str], str] | None = None) -> str:
    """The template filled in; ``raw(path)`` gives a ``{raw.path}`` (empty without it).
    A template that does not check says the content as it is."""
    filled = {name: values.get(name, "") for name in PLACEHOLDERS}
    try:
        check_template(template)
        out = []
        for literal, name, _, _ in string.Formatter().parse(template):
            out.append(literal)
            if name is not None:
                out.append(filled[name] if name in filled else raw(name[len(RAW) :]) if raw else "")
        text = "".join(out)
    except (TemplateError, ValueError):
        text = filled["content"]
    return (text.strip() or filled["content"])[:MAX_SPOKEN]
