"""The loader's reasons, said in the person's language.

The configuration loader (hub.confio) and the sound checks (hub.sounds.audio)
word their refusals in English, for the command line. The settings pages show
the same refusal; this table words each kind in the page's language, keeping
the parts that name the value (a pattern, a position, a size). A reason no
pattern knows is shown as the loader wrote it: never hidden, never guessed.
Only the wording lives here; which values are refused is decided by the loader.
"""

from __future__ import annotations

import ast
import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (the loader's English, as a regular expression; the words in the page's language)
REASONS: list[tuple[re.Pattern[str], Promise]] = [(re.compile(p + r"\Z", re.S), t) for p, t in [
    (r"is required", _("this is required")),
    (r"must not be empty", _("this must not be empty")),
    (r"is (?P<n>\d+) characters long \(at most (?P<max>\d+)\)", _("this is %(n)s characters long, at most %(max)s are taken")),
    (r"must not hold control characters .*", _("this must not hold control characters (new lines, tabs, NUL)")),
    (r"(?P<value>.*) must be a slug: .*", _("%(value)s is not usable here: a letter or digit, then letters, digits, - and _ (at most 64)")),
    (r"(?P<value>.*) is not one of (?P<choices>.*)", _("%(value)s is not one of %(choices)s")),
    (r"must be an integer, not .*", _("this must be a whole number")),
    (r"must be a number, not .*", _("this must be a number")),
    (r"(?P<value>-?\d+) is outside (?P<low>-?\d+)\.\.(?P<high>-?\d+)", _("%(value)s is outside %(low)s to %(high)s")),
    (r"has (?P<n>\d+) items \(at most (?P<max>\d+)\)", _("there are %(n)s lines, at most %(max)s are taken")),
    (r"(?P<value>.*) is not a time zone name like Asia/Shanghai", _("%(value)s is not a time zone name like Asia/Shanghai")),
    (r"must be a time of day like \"09:00\", not (?P<value>.*)", _("%(value)s is not a time of day like 09:00")),
    (r"two shifts start on (?P<day>\w+) at (?P<at>[\d:]+)", _("two shifts start on %(day)s at %(at)s")),
    (r"escalate to a department or to a staff member, not both", _("escalate to a department or to a staff member, not both")),
    (r"give a category, a priority, or both", _("give a category, a priority, or both")),
    (r"a field rule has conditions, not patterns", _("a field rule has conditions, not patterns")),
    (r"(?:rule .*: )?a field rule needs at least one condition", _("a field rule needs at least one condition")),
    (r"must be an array of tables \{ path, op, value \}", _("conditions must be a list of {path, op, value}")),
    (r"(?:rule .*?: )?(?:bad regular expression: )?(?P<pattern>.*) backtracks catastrophically: over (?P<ms>\d+) ms .*",
     _("%(pattern)s can take for ever on some texts (over %(ms)s ms in a test): rewrite it without nested or overlapping repeats, e.g. (a|aa)+ → a+")),
    (r"(?:rule .*?: )?bad regular expression: (?P<detail>.*)", _("not a usable regular expression: %(detail)s")),
    (r"(?:rule .*: )?condition (?P<i>\d+): (?P<detail>.*)", _("condition %(i)s: %(detail)s")),
    (r"unknown placeholder \{(?P<name>[^}]*)\} .*", _("{%(name)s} is not a placeholder the hub knows ({content}, {user}, {amount}, {raw.number} …)")),
    (r"\{(?P<name>[^}]*)\} takes no format or conversion", _("{%(name)s} takes no format or conversion")),
    (r"(?P<detail>.*) \(write \{\{ and \}\} for literal braces\)", _("%(detail)s (write {{ and }} for literal braces)")),
    (r"needs the department whose staff are on duty", _("choose a department: its staff on duty hear it")),
    (r"names no target: .*", _("choose who hears it")),
    (r"(?P<value>.*) is not an amount from 0 to .*", _("%(value)s is not an amount (0 or more, at most 2 decimals)")),
    (r"no department (?P<value>'.*') in the file or the database", _("there is no department %(value)s")),
    (r"no staff member (?P<value>'.*') in the file or the database", _("there is no staff member %(value)s")),
    (r"no category (?P<value>'.*') in the file or the database", _("there is no category %(value)s")),
    (r"no subsystem (?P<value>'.*') in the file or the database", _("there is no subsystem %(value)s")),
    (r"(?P<value>'.*') exists already", _("%(value)s exists already")),
    (r"(?P<value>'.*') is already defined at .*", _("%(value)s exists already")),
    (r"routes .* is already at routes\[\d+\]", _("a route of this category to this target exists already")),
    (r"no such row: it was deleted meanwhile", _("it was deleted meanwhile: reload the page")),
    (r"it changed meanwhile: try again", _("someone changed it at the same moment: try again")),
    (r"will not delete (?P<value>'.*'): (?P<n>\d+) stored messages belong to it .*",
     _("%(value)s is not deleted: %(n)s stored messages belong to it")),
    (r"will not delete (?P<value>'.*'): messages no rule recognises go there.*",
     _("%(value)s is not deleted: messages no rule recognises go there")),
    (r"cannot delete (?P<value>'.*'): still used by (?P<users>.*)", _("%(value)s is still used by %(users)s: move or delete those first")),
    (r"deleting \w+ (?P<value>.*) also deleted (?P<what>.*)", _("deleting %(value)s also deleted %(what)s")),
    # prompt sounds (hub.sounds.audio)
    (r"the file is too big: (?P<size>.*), at most (?P<max>.*)", _("the file is too big: %(size)s, at most %(max)s")),
    (r"the file is empty", _("the file is empty")),
    (r"the file is not audio: .*", _("the file is not audio: only WAV, FLAC and OGG files are taken")),
    (r"the file is (?P<kind>\w+): only WAV, FLAC and OGG files are taken \(convert it first\)",
     _("the file is %(kind)s: only WAV, FLAC and OGG files are taken (convert it first)")),
    (r"the (?P<kind>\w+) file is damaged and cannot be decoded \((?P<detail>.*)\)",
     _("the %(kind)s file is damaged and cannot be decoded (%(detail)s)")),
    (r"the file is (?P<kind>\w+), not WAV, FLAC or OGG", _("the file is %(kind)s, not WAV, FLAC or OGG")),
    (r"the (?P<kind>\w+) file holds no audio", _("the %(kind)s file holds no audio")),
    (r"the sound is too long: (?P<s>[\d.]+) s, at most (?P<max>\d+) s", _("the sound is too long: %(s)s s, at most %(max)s s")),
    (r"the sound is silent", _("the sound is silent")),
]]


def in_words(reason: str) -> str:
    """``reason`` (the loader's) in the active language; unknown ones as they are."""
    for pattern, words in REASONS:
        found = pattern.match(reason)
        if found:
            return str(words) % {k: _as_typed(v) if k in ("pattern", "detail") else v for k, v in found.groupdict().items()}
    return reason


_PY_STRING = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")(.*)\Z""", re.S)


def _as_typed(text: str) -> str:
    """A pattern the loader quoted as Python writes it (``'订单(\\\\d+'``, each backslash doubled)
    as the person typed it: “订单(\\d+”."""
    found = _PY_STRING.match(text)
    if not found:
        return text
    try:
        value = ast.literal_eval(found.group(1))
    except (ValueError, SyntaxError):
        return text
    return f"“{value}”{found.group(2)}" if isinstance(value, str) else text
