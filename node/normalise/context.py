"""Is a run of digits an identifier (said digit by digit) or a quantity (said as a number)?

The rule, in order; the first that applies decides:

1. Dates and ordinals. Four digits 1000–2999 before 年 are a year, said
   digit by digit (2026年). Before a date unit (05月, 25日) it is a number,
   whatever its zeros. After 第 it is an ordinal (第2次 → 第二次, no 两).
2. What follows. A measure word or unit (3件, 2个月, 48小时, 2点, 5 minutes)
   makes a count: a number, with 两 for a 2. A numbering word (号, 楼, 室:
   3号, 12楼) makes a number if short, else an id (10023号).
3. What precedes. An identifier word (订单, 单号, 编号, 尾号, order,
   invoice, tracking, ID, HTTP, ``#``, ``No.`` …: :data:`ID_WORDS_ZH`,
   :data:`ID_WORDS_EN`) makes an id. A quantity word (金额, 共, 库存,
   total, amount …) makes a number.
4. Its shape. A leading zero (007, 00017) makes an id: quantities are not
   written with one. Six digits or more make an id: a bare count that large
   is rare in a shop's messages, an order or tracking number is common.
   Everything else is a number.

An id of one or two digits without a leading zero is still said as a number
(桌号12 → 桌号十二, table 12 → "table twelve"): nobody spells those out.

Separators decide before this rule is asked: thousands separators and
decimal points make a number; hyphenated digit groups (2026-00017) and
dotted ones (192.168.1.1) are ids, a short ascending pair (3-5) a range.
"""

from __future__ import annotations

import enum
import re


class Kind(enum.Enum):
    IDENT = "ident"
    NUMBER = "number"
    COUNT = "count"  # a number before a measure word: Chinese says 两 for 2
    ORDINAL = "ordinal"
    YEAR = "year"


ID_WORDS_ZH = (
    "订单号", "订单编号", "订单", "单号", "编号", "运单", "快递单", "物流单", "工单", "流水号", "交易号",
    "交易单", "批次号", "批次", "货号", "款号", "型号", "账号", "帐号", "卡号", "尾号", "会员号", "工号",
    "房间号", "房间", "房号", "桌号", "取餐号", "取件码", "验证码", "邮编", "发票号", "合同号", "退款单", "售后单",
    "退货单", "申请单", "包裹", "手机号", "手机", "电话", "联系电话", "座机", "分机", "微信号", "代码",
    "错误码", "状态码", "码",
)
ID_WORDS_EN = (
    "order", "order no", "order number", "order id", "invoice", "ticket", "tracking", "tracking number",
    "ref", "reference", "id", "sku", "code", "pin", "parcel", "package", "shipment", "transaction",
    "txn", "account", "acct", "ending in", "phone", "tel", "mobile", "ext", "extension", "room",
    "table", "case", "http", "error", "status", "no.", "number", "serial", "batch", "lot", "model",
)
QUANTITY_WORDS_ZH = (
    "金额", "价格", "单价", "总价", "合计", "共计", "总计", "共", "余额", "实付", "应付", "实收", "收款",
    "到账", "付款", "支付", "退款", "提现", "佣金", "库存", "数量", "销量", "约", "大约", "超过", "满",
    "减", "仅剩", "剩余", "累计", "达到", "增加", "减少", "下降", "上涨",
)
QUANTITY_WORDS_EN = (
    "total", "amount", "price", "qty", "quantity", "balance", "paid", "sum", "stock", "about",
    "over", "under", "than", "approximately", "around", "only", "remaining", "of",
)
# Measure words and units after a number: it counts something.
COUNT_UNITS = (
    "个月", "小时", "分钟", "秒钟", "公斤", "千克", "公里", "星期", "周年", "块钱", "平方米", "立方米",
    "件", "个", "位", "名", "人", "次", "天", "周", "年", "台", "张", "本", "条", "单", "笔", "份", "箱",
    "盒", "瓶", "包", "袋", "斤", "克", "米", "元", "块", "角", "毛", "种", "家", "款", "双", "对", "套",
    "部", "辆", "支", "只", "把", "页", "项", "批", "桶", "罐", "杯", "碗", "片", "颗", "粒", "根", "间",
    "座", "栋", "户", "倍", "遍", "回", "趟", "场", "顿", "口", "头", "匹", "封", "句", "段", "首", "门",
    "岁", "点", "分", "秒", "万", "千", "百", "亿", "kg", "km", "cm", "mm", "ml", "pcs",
    "items", "item", "pieces", "piece", "units", "unit", "orders", "days", "day", "hours", "hour",
    "minutes", "minute", "mins", "min", "seconds", "second", "weeks", "week", "months", "month",
    "years", "year", "times", "people", "customers", "users", "boxes", "box", "packs", "stars", "star",
)
DATE_UNITS = ("月", "日")
NUMBERED_UNITS = ("号线", "号", "楼", "室", "层", "路", "期", "届", "级", "班", "组", "排", "床")
SHORT_NUMBER = 4  # at most this many digits before a numbering word is a number (3号, 1203室)
LONG_IDENT = 6    # this many digits or more, with nothing else to go by, is an identifier
SHORT_IDENT = 2   # an identifier this short is said as a number

_TAIL = r"[\s:：#＃=]*$"
_ID_BEFORE = re.compile(
    "(?:" + "|".join(map(re.escape, ID_WORDS_ZH)) + "|(?<![A-Za-z])(?:"
    + "|".join(map(re.escape, sorted(ID_WORDS_EN, key=len, reverse=True))) + "))" + _TAIL,
    re.IGNORECASE,
)
_QUANTITY_BEFORE = re.compile(
    "(?:" + "|".join(map(re.escape, QUANTITY_WORDS_ZH)) + "|(?<![A-Za-z])(?:"
    + "|".join(map(re.escape, QUANTITY_WORDS_EN)) + r")\s)" + r"[\s:：=]*$",
    re.IGNORECASE,
)


def _unit_after(text: str, end: int, units: tuple[str, ...]) -> bool:
    rest = text[end:end + 8].lstrip(" ")
    for unit in units:
        if rest.startswith(unit):
            if unit.isascii():  # a Latin unit must end there: "5 days", not "5 dayspring"
                after = rest[len(unit):len(unit) + 1]
                if after.isascii() and after.isalpha():
                    continue
            return True
    return False


def kind(text: str, start: int, end: int) -> Kind:
    """How to say the digit run ``text[start:end]`` (ASCII digits only), from its neighbours."""
    digits = text[start:end]
    before = text[max(0, start - 24):start]
    if len(digits) == 4 and digits[0] in "12" and text.startswith("年", end):
        return Kind.YEAR
    if _unit_after(text, end, DATE_UNITS):
        return Kind.NUMBER
    if before.endswith("第"):
        return Kind.ORDINAL
    if _unit_after(text, end, COUNT_UNITS):
        return Kind.COUNT
    if _unit_after(text, end, NUMBERED_UNITS):
        return Kind.NUMBER if len(digits) <= SHORT_NUMBER and not digits.startswith("0") else Kind.IDENT
    if before.rstrip(" ").endswith("#") or _ID_BEFORE.search(before):
        return Kind.IDENT
    if _QUANTITY_BEFORE.search(before):
        return Kind.NUMBER
    if len(digits) > 1 and digits.startswith("0"):
        return Kind.IDENT
    return Kind.IDENT if len(digits) >= LONG_IDENT else Kind.NUMBER


def ident_context(text: str, start: int) -> bool:
    """Whether an identifier word (or ``#``) stands right before ``start``."""
    before = text[max(0, start - 24):start]
    return before.rstrip(" ").endswith("#") or bool(_ID_BEFORE.search(before))
