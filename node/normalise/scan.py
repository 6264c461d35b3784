"""The scanner: finds each number-bearing token in a text and puts the reader's words in its place."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from . import context
from .context import Kind
from .money import currency_code
from .patterns import COMPILED, SCANNER
from .reader import Reader, amount

log = logging.getLogger(__name__)


@dataclass
class Scan:
    """One text being read: the reader, the original text, and the platform's amount if it gave one."""

    reader: Reader
    text: str
    amount: Decimal | None = None
    currency: str | None = None
    amount_used: bool = False

    def run(self) -> str:
        return SCANNER.sub(self._replace, self.text)

    def _replace(self, found: re.Match[str]) -> str:
        name = found.lastgroup
        assert name is not None
        token = found.group()
        try:
            match = COMPILED[name].match(self.text, found.start())
            assert match is not None and match.end() == found.end(), name
            words = HANDLERS[name](self, match, found.start(), found.end())
        except Exception:  # a reading bug must cost one token, never the announcement
            log.exception("cannot read %r (%s); leaving it as written", token, name)
            return token
        return self._spaced(words, found.start(), found.end())

    def _spaced(self, words: str, start: int, end: int) -> str:
        """A space between Latin words and a neighbouring letter or digit (none between Chinese and Latin)."""
        if not words:
            return words
        before = self.text[start - 1] if start > 0 else ""
        after = self.text[end] if end < len(self.text) else ""
        if _needs_space(before, words[0], words):
            words = " " + words
        if _needs_space(after, words[-1], words):
            words += " "
        return words

    # Numbers ---------------------------------------------------------------

    def number(self, m: re.Match[str], start: int, end: int) -> str:
        """A plain number; its neighbours decide between an id and a quantity (see :mod:`.context`)."""
        digits, fraction = m["int"], m["frac"]
        negative = m["neg"] is not None
        if "," in digits or fraction or negative:
            words = self.reader.cardinal(digits.replace(",", ""), fraction)
        else:
            offset = start + (len(m["neg"]) if m["neg"] else 0)
            words = self.by_kind(digits, context.kind(self.text, offset, end))
        return self.reader.negative(words) if negative else words

    def by_kind(self, digits: str, kind: Kind) -> str:
        if kind is Kind.IDENT and (len(digits) > context.SHORT_IDENT or digits.startswith("0")):
            return self.reader.ident(digits)
        if kind is Kind.YEAR:
            return self.reader.year(digits)
        return self.reader.cardinal(digits, liang=kind is Kind.COUNT, ordinal=kind is Kind.ORDINAL)

    def ordinal(self, m: re.Match[str], start: int, end: int) -> str:
        return self.reader.ordinal(m["int"])

    def percent(self, m: re.Match[str], start: int, end: int) -> str:
        words = self.reader.percent(self.reader.cardinal(m["int"].replace(",", ""), m["frac"]), m["sign"] == "‰")
        return self.reader.negative(words) if m["neg"] else words

    def degrees(self, m: re.Match[str], start: int, end: int) -> str:
        words = self.reader.cardinal(m["int"].replace(",", ""), m["frac"])
        return self.reader.degrees(self.reader.negative(words) if m["neg"] else words)

    def span(self, m: re.Match[str], start: int, end: int) -> str:
        liang = context.kind(self.text, m.start("int2"), end) is Kind.COUNT
        low = self.reader.cardinal(m["int"].replace(",", ""), m["frac"], liang=liang)
        high = self.reader.cardinal(m["int2"].replace(",", ""), m["frac2"], liang=liang)
        return self.reader.span(low, high)

    def ratio(self, m: re.Match[str], start: int, end: int) -> str:
        return self.reader.ratio(m["a"], m["b"])

    # Money -----------------------------------------------------------------

    def money(self, m: re.Match[str], start: int, end: int) -> str:
        """An amount with a currency sign, code or word; the platform's amount field, if given, wins once."""
        names = m.groupdict()
        code = currency_code(names["cur"])
        negative = bool(names.get("neg") or names.get("neg2"))
        if self.amount is not None and not self.amount_used:
            self.amount_used = True
            return amount(self.reader, self.amount, currency_code(self.currency) if self.currency else code)
        words = self.reader.money(m["int"].replace(",", ""), m["frac"], code, m["scale"])
        return self.reader.negative(words) if negative else words

    # Identifiers -------------------------------------------------------------

    def groups(self, m: re.Match[str], start: int, end: int) -> str:
        """Digit groups joined by - _ /: a date (11/25), a fraction, a range (3-5), else an id."""
        token = m["tok"]
        parts = re.split(r"[-_/]", token)
        if len(parts) == 2 and "/" in token:
            if max(map(len, parts)) <= 2 and 1 <= int(parts[0]) <= 12 and 1 <= int(parts[1]) <= 31:
                return self.reader.date(None, int(parts[0]), int(parts[1]))
            return self.reader.fraction(parts[0], parts[1])
        if len(parts) == 2 and "-" in token and self._is_range(parts, start):
            liang = context.kind(self.text, end - len(parts[1]), end) is Kind.COUNT
            return self.reader.span(self.reader.cardinal(parts[0], liang=liang),
                                    self.reader.cardinal(parts[1], liang=liang))
        return self.reader.PAUSE.join(self.reader.ident(part) for part in parts)

    def _is_range(self, parts: list[str], start: int) -> bool:
        low, high = parts
        if context.ident_context(self.text, start) or low.startswith("0") or high.startswith("0"):
            return False
        return len(low) <= 6 and len(high) <= 6 and int(low) < int(high)

    def dotted(self, m: re.Match[str], start: int, end: int) -> str:
        return self.reader.DOT.join(self.reader.ident(part) for part in m["tok"].split("."))

    def upper_id(self, m: re.Match[str], start: int, end: int) -> str:
        """SO-2026-00017, SKU-778, SF1234567890: spelled; with fewer than 3 digits (MP3, B2B) a word with numbers."""
        token = m["tok"]
        if sum(ch.isdigit() for ch in token) >= 3:
            return self.reader.PAUSE.join(self.reader.ident(part) for part in re.split(r"[-_]", token) if part)
        runs = re.findall(r"\d+|[^\d]+", token)
        return self.reader.GLUE.join(self.reader.cardinal(run) if run.isdigit() else run for run in runs)

    def masked(self, m: re.Match[str], start: int, end: int) -> str:
        """138****5678: the digits shown, as an id, a pause for the hidden ones (voices say "asterisk")."""
        return self.reader.ident(m["a"]) + self.reader.PAUSE + self.reader.ident(m["b"])

    def phone(self, m: re.Match[str], start: int, end: int) -> str:
        parts = [part for part in (m["a"], m["b"], m["c"]) if part]
        return self.reader.PAUSE.join(self.reader.ident(part) for part in parts)

    def phone_plus(self, m: re.Match[str], start: int, end: int) -> str:
        token = m["tok"]
        parts = re.split(r"[- ]", token)
        if len(parts) <= 2:  # +8613812345678, +86 13812345678: in the groups people say
            parts = _split_international("".join(parts)) or parts
        return self.reader.PLUS + self.reader.PAUSE.join(self.reader.ident(part) for part in parts)

    def number_word(self, m: re.Match[str], start: int, end: int) -> str:
        return self.reader.NUMBER_ABBREVIATION

    def hash(self, m: re.Match[str], start: int, end: int) -> str:
        return self.reader.NUMBER_SIGN

    # Dates and times ---------------------------------------------------------

    def date(self, m: re.Match[str], start: int, end: int) -> str:
        """2026-11-25, 2026/11/25, 2026.11.25; an impossible date is read as digit groups."""
        month, day = int(m["m"]), int(m["d"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return self.reader.date(m["y"], month, day)
        return self.reader.PAUSE.join(self.reader.ident(part) for part in (m["y"], m["m"], m["d"]))

    def iso_datetime(self, m: re.Match[str], start: int, end: int) -> str:
        """2026-11-25T10:00:00Z: the date, the time, and the zone (Z as UTC, +08:00 as UTC plus eight)."""
        month, day, hour, minute = int(m["m"]), int(m["d"]), int(m["h"]), int(m["mi"])
        second = int(m["s"]) if m["s"] else None
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and (second or 0) <= 59):
            return self.reader.PAUSE.join(self.reader.ident(part) for part in re.findall(r"\d+", m.group()))
        words = self.reader.date(m["y"], month, day) + self.reader.PAUSE + self.reader.time(hour, minute, second, None)
        return words + (" " + self._zone(m["tz"]) if m["tz"] else "")

    def _zone(self, zone: str) -> str:
        """Z → UTC; +08:00 → UTC 加八 / UTC plus eight; +05:30 → … five thirty."""
        hours, minutes = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[-2:]))
        if not (hours or minutes):
            return "UTC"
        sign = self.reader.PLUS if zone[0] == "+" else self.reader.negative("")
        text = "UTC " + sign + self.reader.cardinal(str(hours))
        return text + (self.reader.GLUE + self.reader.cardinal(str(minutes)) if minutes else "")

    def date_mdy(self, m: re.Match[str], start: int, end: int) -> str:
        """11/25/2026 (month first) or 25/11/2026 (day first, when the first cannot be a month)."""
        a, b = int(m["a"]), int(m["b"])
        month, day = (a, b) if a <= 12 else (b, a)
        if 1 <= month <= 12 and 1 <= day <= 31:
            return self.reader.date(m["y"], month, day)
        return self.reader.PAUSE.join(self.reader.ident(part) for part in (m["a"], m["b"], m["y"]))

    def month_day(self, m: re.Match[str], start: int, end: int) -> str:
        """Nov 25, November 25th, 2026: the date if the day can be in a month, else the month and its number."""
        month = MONTHS[m["mon"][:3].lower()]
        day = int(m["d"])
        if 1 <= day <= 31:
            return self.reader.date(m["y"], month, day)
        return m["mon"] + " " + self.reader.cardinal(m["d"]) + (" " + self.reader.year(m["y"]) if m["y"] else "")

    def time_span(self, m: re.Match[str], start: int, end: int) -> str:
        """9:00-18:00: two clock times; impossible ones are read as digit groups."""
        hours, minutes = (int(m["h"]), int(m["h2"])), (int(m["m"]), int(m["m2"]))
        if max(hours) > 23 or max(minutes) > 59:
            return self.reader.PAUSE.join(self.reader.ident(m[name]) for name in ("h", "m", "h2", "m2"))
        return self.reader.span(self.reader.time(hours[0], minutes[0], None, None),
                                self.reader.time(hours[1], minutes[1], None, None))

    def time(self, m: re.Match[str], start: int, end: int) -> str:
        hour, minute = int(m["h"]), int(m["m"])
        second = int(m["s"]) if m["s"] else None
        meridiem = m["mer"].replace(".", "").lower() if m["mer"] else None
        if hour > 23 or minute > 59 or (second or 0) > 59 or (meridiem and not 1 <= hour <= 12):
            words = self.reader.ratio(m["h"], m["m"])
            return words + (" " + m["mer"] if m["mer"] else "")
        return self.reader.time(hour, minute, second, meridiem)


def _needs_space(neighbour: str, edge: str, words: str) -> bool:
    latin_edge = edge.isascii() and edge.isalnum()
    return latin_edge and neighbour.isalnum() and (neighbour.isascii() or words.isascii())


MONTHS = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def _split_international(digits: str) -> list[str]:
    """8613812345678 → 86 138 1234 5678; 15551234567 → 1 555 123 4567; others: [] (no known shape)."""
    if digits.startswith("861") and len(digits) == 13:
        return ["86", digits[2:5], digits[5:9], digits[9:]]
    if digits.startswith("1") and len(digits) == 11:
        return ["1", digits[1:4], digits[4:7], digits[7:]]
    return []


Handler = Callable[[Scan, re.Match[str], int, int], str]
HANDLERS: dict[str, Handler] = {
    "iso_datetime": Scan.iso_datetime,
    "date_dash": Scan.date,
    "date_slash": Scan.date,
    "date_dot": Scan.date,
    "date_mdy": Scan.date_mdy,
    "month_day": Scan.month_day,
    "time_span": Scan.time_span,
    "time": Scan.time,
    "phone_plus": Scan.phone_plus,
    "phone_area": Scan.phone,
    "landline": Scan.phone,
    "mobile": Scan.phone,
    "money_before": Scan.money,
    "money_after": Scan.money,
    "percent": Scan.percent,
    "degrees": Scan.degrees,
    "ordinal": Scan.ordinal,
    "number_word": Scan.number_word,
    "hash": Scan.hash,
    "upper_id": Scan.upper_id,
    "masked": Scan.masked,
    "mixed_id": Scan.upper_id,
    "dotted": Scan.dotted,
    "groups": Scan.groups,
    "ratio": Scan.ratio,
    "span": Scan.span,
    "number": Scan.number,
}
