"""Text normalisation: a platform sentence turned into the words a voice should say (zh and en).

``normalise("客户孙七申请退款，订单号10031，金额128.00元", "zh")`` →
客户孙七申请退款，订单号幺零零三幺，金额一百二十八元. Amounts, identifiers (digit
by digit), phone numbers, times, dates, percentages, ranges, negatives,
ordinals and counts with measure words are spelled out; words and brand names
(Alice, iPhone, HTTP) are left for the voice. How a number is judged an
identifier or a quantity is in :mod:`.context`; the Chinese and English
readings are in :mod:`.zh` and :mod:`.en`.

The node calls this once per announcement (``Speech.words``), before the text
is cut into sentences and before the TTS cache is asked, so the cache is keyed
by the words actually said.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from .clean import clean
from .money import READERS, currency_code, say_amount
from .scan import Scan

__all__ = ["currency_code", "normalise", "say_amount"]

log = logging.getLogger(__name__)


def normalise(text: str, lang: str, amount: Decimal | None = None, currency: str | None = None) -> str:
    """The words to say for ``text`` in ``lang`` (``zh…`` or ``en…``). Never raises.

    Other languages get only the tidying (control characters out, every
    script's digits as ASCII); their voice reads the numbers itself.

    ``amount`` is the platform's amount field, when it gave one: the first
    amount of money in the text (a number with a currency sign, code or word)
    is then said from it, in ``currency`` (a code, sign or word) or else in
    the currency written in the text. A text without an amount of money is
    left as it is: to add the amount to a sentence built from fields, use
    :func:`say_amount`. An unusable ``currency`` is logged and the text's own
    amount is said.
    """
    text = clean(text)
    reader = READERS.get(lang.split("-")[0].split("_")[0].lower())
    if reader is None:
        return text
    if currency is not None:
        try:
            currency_code(currency)
        except ValueError as exc:
            log.warning("ignoring the amount field: %s", exc)
            amount, currency = None, None
    if amount is not None and not (isinstance(amount, Decimal) and amount.is_finite()):
        log.warning("ignoring the amount field %r: not a finite Decimal", amount)
        amount = None
    return Scan(reader, text, amount, currency).run()
