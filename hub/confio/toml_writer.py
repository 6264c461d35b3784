"""Just enough of a TOML writer for configuration files (tomllib only reads).

Values: strings, booleans, integers, floats, arrays, and tables written
inline. Strings keep their characters (Chinese stays Chinese); quotes,
backslashes and control characters are escaped. A string with backslashes
and nothing else awkward (a regular expression) is written as a literal
string, ``'\\bHTTP\\s?5\\d\\d\\b'``, as a person would.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+\Z")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
MAX_LINE = 100
INDENT = "    "


def key(name: str) -> str:
    return name if _BARE_KEY.match(name) else string(name)


def _awkward(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cs")


def string(text: str) -> str:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise ValueError("a string holds a lone surrogate, which TOML cannot write")
    if "\\" in text and "'" not in text and not any(_awkward(c) for c in text):
        return f"'{text}'"
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif _awkward(c):
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def value(v: object) -> str:
    """``v`` written on one line."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(item) for item in v) + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{key(str(k))} = {value(item)}" for k, item in v.items()) + " }"
    if v is None:
        raise ValueError("TOML has no null (None)")
    raise ValueError(f"TOML cannot write a {type(v).__name__}")


def pair(name: str, v: object) -> str:
    """``name = v``; a long array of plain values is spread over lines, one item each."""
    line = f"{key(name)} = {value(v)}"
    if len(line) <= MAX_LINE or not isinstance(v, (list, tuple)) or any(isinstance(i, (list, tuple, Mapping)) for i in v):
        return line
    items = "".join(f"{INDENT}{value(item)},\n" for item in v)
    return f"{key(name)} = [\n{items}]"


class Document:
    """Lines of a TOML document, written top to bottom."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str) -> None:
        self.lines.extend(f"# {line}".rstrip() for line in text.splitlines())

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def pair(self, name: str, v: object) -> None:
        self.lines.append(pair(name, v))

    def table(self, name: str, pairs: Mapping[str, object]) -> None:
        self.blank()
        self.lines.append(f"[{key(name)}]")
        self.lines.extend(pair(k, v) for k, v in pairs.items())

    def array_table(self, name: str, pairs: Mapping[str, object]) -> None:
        self.blank()
        self.lines.append(f"[[{key(name)}]]")
        self.lines.extend(pair(k, v) for k, v in pairs.items())

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"
