"""Text normalisation (node.normalise): the table of what the speaker says, zh and en, and hostile input.

The table is the contract: each row is text as a platform writes it, the
language, and the exact words the voice is given.
"""

from __future__ import annotations

import json
import logging
import random
import re
from decimal import Decimal

import pytest

from node.normalise import normalise, say_amount
from tests.paths import SAMPLES

ZH_AMOUNTS = [
    ("¥1,280.50", "zh", "一千二百八十元五角"),
    ("128.00元", "zh", "一百二十八元"),
    ("金额128.00元", "zh", "金额一百二十八元"),
    ("￥3,000.00", "zh", "三千元"),
    ("¥1200", "zh", "一千二百元"),
    ("RMB 500", "zh", "五百元"),
    ("CNY 99.9", "zh", "九十九元九角"),
    ("12.05元", "zh", "十二元零五分"),
    ("0.50元", "zh", "五角"),
    ("0.05元", "zh", "五分"),
    ("3.25元", "zh", "三元两角五分"),
    ("0元", "zh", "零元"),
    ("2元", "zh", "两元"),
    ("0.02元", "zh", "两分"),
    ("2.20元", "zh", "两元两角"),
    ("200元", "zh", "两百元"),
    ("2000元", "zh", "两千元"),
    ("20000元", "zh", "两万元"),
    ("22元", "zh", "二十二元"),
    ("1005元", "zh", "一千零五元"),
    ("10020元", "zh", "一万零二十元"),
    ("100000元", "zh", "十万元"),
    ("12000元", "zh", "一万两千元"),
    ("1.234元", "zh", "一点二三四元"),
    ("3万元", "zh", "三万元"),
    ("¥1.2万", "zh", "一点二万元"),
    ("2亿元", "zh", "两亿元"),
    ("¥128元", "zh", "一百二十八元"),
    ("-¥50", "zh", "负五十元"),
    ("¥-50", "zh", "负五十元"),
    ("$450.00", "zh", "四百五十美元"),
    ("$89.90", "zh", "八十九点九美元"),
    ("USD 20", "zh", "二十美元"),
    ("50 EUR", "zh", "五十欧元"),
    ("€5", "zh", "五欧元"),
    ("£3.50", "zh", "三点五英镑"),
    ("100英镑", "zh", "一百英镑"),
    ("2美元", "zh", "两美元"),
    ("HK$100", "zh", "一百港元"),
    ("实付59.00元", "zh", "实付五十九元"),
    ("佣金提现500元", "zh", "佣金提现五百元"),
    ("100-200元", "zh", "一百到两百元"),
    ("1.5-2.5元", "zh", "一点五到二点五元"),
]

ZH_IDS = [
    ("订单100015", "zh", "订单幺零零零幺五"),
    ("客户张三提交了订单10023", "zh", "客户张三提交了订单幺零零二三"),
    ("订单号：10031", "zh", "订单号：幺零零三幺"),
    ("订单号 10040", "zh", "订单号 幺零零四零"),
    ("订单#10023", "zh", "订单幺零零二三"),
    ("单号123", "zh", "单号幺二三"),
    ("编号7", "zh", "编号七"),
    ("尾号1234", "zh", "尾号幺二三四"),
    ("验证码 007", "zh", "验证码 零零七"),
    ("房间1203", "zh", "房间幺二零三"),
    ("运单号SF1234567890", "zh", "运单号S F 幺二三四五六七八九零"),
    ("YT123456789CN", "zh", "Y T 幺二三四五六七八九 C N"),
    ("SO-2026-00017", "zh", "S O，二零二六，零零零幺七"),
    ("SKU-778", "zh", "S K U，七七八"),
    ("#20031", "zh", "二零零三幺"),
    ("No.123", "zh", "编号幺二三"),
    ("2026-00017", "zh", "二零二六，零零零幺七"),
    ("00017", "zh", "零零零幺七"),
    ("100015", "zh", "幺零零零幺五"),
    ("10023号", "zh", "幺零零二三号"),
    ("192.168.1.1", "zh", "幺九二点幺六八点幺点幺"),
    ("错误码 503", "zh", "错误码 五零三"),
    ("HTTP 503", "zh", "HTTP 五零三"),
    ("订单10023-2", "zh", "订单幺零零二三，二"),
    ("物流单号：YT2345678901234", "zh", "物流单号：Y T 二三四五六七八九零幺二三四"),
    ("商品ID 778899", "zh", "商品ID 七七八八九九"),
    ("桌号12", "zh", "桌号十二"),
    ("订单号07", "zh", "订单号零七"),
    ("用户138****5678", "zh", "用户幺三八，五六七八"),
    ("user 138****5678", "en", "user one three eight, five six seven eight"),
    ("V2.0版本", "zh", "V二点零版本"),
]

ZH_PHONES = [
    ("13812345678", "zh", "幺三八，幺二三四，五六七八"),
    ("手机138-1234-5678", "zh", "手机幺三八，幺二三四，五六七八"),
    ("138 1234 5678", "zh", "幺三八，幺二三四，五六七八"),
    ("+86 138 1234 5678", "zh", "加八六，幺三八，幺二三四，五六七八"),
    ("+8613812345678", "zh", "加八六，幺三八，幺二三四，五六七八"),
    ("010-12345678", "zh", "零幺零，幺二三四，五六七八"),
    ("0755-8888888", "zh", "零七五五，八八八，八八八八"),
    ("(021) 6123 4567", "zh", "零二幺，六幺二三，四五六七"),
    ("400-820-8820", "zh", "四零零，八二零，八八二零"),
]

ZH_TIMES_DATES = [
    ("14:05", "zh", "十四点零五分"),
    ("14：05", "zh", "十四点零五分"),
    ("09:00", "zh", "九点"),
    ("2:30", "zh", "两点三十分"),
    ("12:00", "zh", "十二点"),
    ("00:00", "zh", "零点"),
    ("14:05:09", "zh", "十四点零五分零九秒"),
    ("14:00:05", "zh", "十四点零分零五秒"),
    ("下午2:05", "zh", "下午两点零五分"),
    ("2026-11-25", "zh", "二零二六年十一月二十五日"),
    ("2026/11/25", "zh", "二零二六年十一月二十五日"),
    ("2026.11.25", "zh", "二零二六年十一月二十五日"),
    ("2026年11月25日", "zh", "二零二六年十一月二十五日"),
    ("11月25日", "zh", "十一月二十五日"),
    ("2026年05月06日", "zh", "二零二六年五月六日"),
    ("2月2日", "zh", "二月二日"),
    ("25号", "zh", "二十五号"),
    ("11/25", "zh", "十一月二十五日"),
    ("2026-11-25 14:05", "zh", "二零二六年十一月二十五日 十四点零五分"),
    ("2026-13-45", "zh", "二零二六，幺三，四五"),
    ("1999年", "zh", "一九九九年"),
    ("2026-11-25T10:05:00+08:00", "zh", "二零二六年十一月二十五日，十点零五分 UTC 加八"),
    ("周一至周五9:00-18:00营业", "zh", "周一至周五九点到十八点营业"),
    ("10:00~12:00", "zh", "十点到十二点"),
    ("下单时间 2026-11-25 14:05:33", "zh", "下单时间 二零二六年十一月二十五日 十四点零五分三十三秒"),
]

ZH_COUNTS = [
    ("2件商品", "zh", "两件商品"),
    ("周八购买了2件商品", "zh", "周八购买了两件商品"),
    ("3件", "zh", "三件"),
    ("10人", "zh", "十人"),
    ("三天", "zh", "三天"),
    ("2个", "zh", "两个"),
    ("2个月", "zh", "两个月"),
    ("2月", "zh", "二月"),
    ("2年", "zh", "两年"),
    ("2次", "zh", "两次"),
    ("连续5次超时", "zh", "连续五次超时"),
    ("48小时", "zh", "四十八小时"),
    ("12件", "zh", "十二件"),
    ("22件", "zh", "二十二件"),
    ("2点", "zh", "两点"),
    ("第2名", "zh", "第二名"),
    ("第2次", "zh", "第二次"),
    ("第12", "zh", "第十二"),
    ("第2000名", "zh", "第二千名"),
    ("2000名", "zh", "两千名"),
    ("您有1笔新订单", "zh", "您有一笔新订单"),
    ("今日订单量1234单", "zh", "今日订单量一千二百三十四单"),
    ("满100减20", "zh", "满一百减二十"),
    ("2万", "zh", "两万"),
    ("12万", "zh", "十二万"),
    ("3号桌", "zh", "三号桌"),
    ("12楼", "zh", "十二楼"),
    ("100015件", "zh", "十万零一十五件"),
    ("5kg", "zh", "五kg"),
    ("3-5天", "zh", "三到五天"),
    ("2-3件", "zh", "两到三件"),
    ("10~20件", "zh", "十到二十件"),
    ("10～20件", "zh", "十到二十件"),
    ("3 – 5天", "zh", "三到五天"),
]

ZH_NUMBERS = [
    ("库存2", "zh", "库存二"),
    ("共15", "zh", "共十五"),
    ("库存128000", "zh", "库存十二万八千"),
    ("1,234,567", "zh", "一百二十三万四千五百六十七"),
    ("3.14", "zh", "三点一四"),
    ("0.5", "zh", "零点五"),
    ("-5", "zh", "负五"),
    ("温度-3.5", "zh", "温度负三点五"),
    ("5%", "zh", "百分之五"),
    ("12.5%", "zh", "百分之十二点五"),
    ("100%", "zh", "百分之一百"),
    ("-3%", "zh", "负百分之三"),
    ("5‰", "zh", "千分之五"),
    ("25℃", "zh", "二十五摄氏度"),
    ("-3°C", "zh", "负三摄氏度"),
    ("3:1", "zh", "三比一"),
    ("1:100", "zh", "一比一百"),
    ("3/7", "zh", "三月七日"),
    ("3/40", "zh", "四十分之三"),
    ("v1.2.3", "zh", "v幺点二点三"),
    ("10", "zh", "十"),
    ("110", "zh", "一百一十"),
    ("1010", "zh", "一千零一十"),
    ("20", "zh", "二十"),
    ("2", "zh", "二"),
    ("0", "zh", "零"),
    ("1,000,000", "zh", "一百万"),
    ("100,000,001", "zh", "一亿零一"),
    ("1,000,000,000,000", "zh", "一万亿"),
    ("10,050,000,000", "zh", "一百亿五千万"),
    ("10,005,000,000", "zh", "一百亿零五百万"),
]

ZH_MIXED = [
    ("客户孙七申请退款，订单号10031，金额128.00元", "zh", "客户孙七申请退款，订单号幺零零三幺，金额一百二十八元"),
    ("店铺吴九发起提现申请 ¥3,000.00", "zh", "店铺吴九发起提现申请 三千元"),
    ("新订单：周八购买了2件商品，订单号10040，待发货", "zh", "新订单：周八购买了两件商品，订单号幺零零四零，待发货"),
    ("iPhone15 已下单", "zh", "iPhone十五 已下单"),
    ("5G网络", "zh", "五G网络"),
    ("MP3", "zh", "MP三"),
    ("Alice 下单 iPad Pro", "zh", "Alice 下单 iPad Pro"),
    ("COVID-19", "zh", "COVID-十九"),
    ("Nike 订单10023 已发货", "zh", "Nike 订单幺零零二三 已发货"),
    ("TOP10", "zh", "TOP十"),
    ("Customer Alice placed order #20031", "zh", "Customer Alice placed order 二零零三幺"),
]

EN_CASES = [
    ("$450.00", "en", "four hundred fifty dollars"),
    ("Seller Bob Jones requested a withdrawal of $450.00 — please review", "en",
     "Seller Bob Jones requested a withdrawal of four hundred fifty dollars — please review"),
    ("New order #20050 from Frank Li, total $89.90", "en",
     "New order number two zero zero five zero from Frank Li, total eighty-nine dollars and ninety cents"),
    ("Customer Alice Smith placed order #20031", "en", "Customer Alice Smith placed order number two zero zero three one"),
    ("$1", "en", "one dollar"),
    ("$1.01", "en", "one dollar and one cent"),
    ("$0.99", "en", "ninety-nine cents"),
    ("$0.01", "en", "one cent"),
    ("$2,500", "en", "two thousand five hundred dollars"),
    ("$1,000,000", "en", "one million dollars"),
    ("$3k", "en", "three thousand dollars"),
    ("$1.5M", "en", "one point five million dollars"),
    ("-$20", "en", "minus twenty dollars"),
    ("€5", "en", "five euros"),
    ("€1", "en", "one euro"),
    ("£3.50", "en", "three pounds and fifty pence"),
    ("£0.01", "en", "one penny"),
    ("¥128", "en", "one hundred twenty-eight yuan"),
    ("128.50元", "en", "one hundred twenty-eight point five yuan"),
    ("50 USD", "en", "fifty dollars"),
    ("USD 20", "en", "twenty dollars"),
    ("450 dollars", "en", "four hundred fifty dollars"),
    ("order 20031", "en", "order two zero zero three one"),
    ("Order No. 123", "en", "Order number one two three"),
    ("SO-2026-00017", "en", "S O, two zero two six, zero zero zero one seven"),
    ("product SKU-778", "en", "product S K U, seven seven eight"),
    ("tracking 1Z999AA10123456784", "en", "tracking one Z nine nine nine A A one zero one two three four five six seven eight four"),
    ("HTTP 503", "en", "HTTP five zero three"),
    ("Payment gateway returned HTTP 503 for 3 minutes", "en",
     "Payment gateway returned HTTP five zero three for three minutes"),
    ("card ending in 4242", "en", "card ending in four two four two"),
    ("ticket 0042", "en", "ticket zero zero four two"),
    ("table 12", "en", "table twelve"),
    ("room 1203", "en", "room one two zero three"),
    ("#5", "en", "number five"),
    ("100015", "en", "one zero zero zero one five"),
    ("12345", "en", "twelve thousand three hundred forty-five"),
    ("100015 items", "en", "one hundred thousand fifteen items"),
    ("Call 555-123-4567", "en", "Call five five five, one two three, four five six seven"),
    ("+1 5551234567", "en", "plus one, five five five, one two three, four five six seven"),
    ("(555) 123-4567", "en", "five five five, one two three, four five six seven"),
    ("1st", "en", "first"),
    ("2nd", "en", "second"),
    ("3rd", "en", "third"),
    ("22nd", "en", "twenty-second"),
    ("40th", "en", "fortieth"),
    ("101st", "en", "one hundred first"),
    ("12th", "en", "twelfth"),
    ("14:05", "en", "two oh five PM"),
    ("09:30", "en", "nine thirty AM"),
    ("9:30 am", "en", "nine thirty AM"),
    ("2:05 p.m.", "en", "two oh five PM"),
    ("00:15", "en", "twelve fifteen AM"),
    ("12:00", "en", "twelve PM"),
    ("14:00", "en", "two PM"),
    ("Open 9:00-18:00", "en", "Open nine AM to six PM"),
    ("Your code is 482913", "en", "Your code is four eight two nine one three"),
    ("Refund $12.50 for 3 items", "en", "Refund twelve dollars and fifty cents for three items"),
    ("2026-11-25", "en", "November twenty-fifth, twenty twenty-six"),
    ("2026/11/25", "en", "November twenty-fifth, twenty twenty-six"),
    ("11/25/2026", "en", "November twenty-fifth, twenty twenty-six"),
    ("25/11/2026", "en", "November twenty-fifth, twenty twenty-six"),
    ("Nov 25", "en", "November twenty-fifth"),
    ("November 3rd, 2005", "en", "November third, two thousand five"),
    ("Dec. 31, 1999", "en", "December thirty-first, nineteen ninety-nine"),
    ("2000-01-01", "en", "January first, two thousand"),
    ("1900-06-15", "en", "June fifteenth, nineteen hundred"),
    ("failing since 2026-11-25T10:00:00Z", "en", "failing since November twenty-fifth, twenty twenty-six, ten AM UTC"),
    ("2026-11-25T10:05+05:30", "en", "November twenty-fifth, twenty twenty-six, ten oh five AM UTC plus five thirty"),
    ("2026-11-25T10:05:00-05:00", "en", "November twenty-fifth, twenty twenty-six, ten oh five AM UTC minus five"),
    ("15%", "en", "fifteen percent"),
    ("12.5%", "en", "twelve point five percent"),
    ("-3%", "en", "minus three percent"),
    ("-5", "en", "minus five"),
    ("3.14", "en", "three point one four"),
    ("0.5", "en", "zero point five"),
    ("1,234,567", "en", "one million two hundred thirty-four thousand five hundred sixty-seven"),
    ("3-5 days", "en", "three to five days"),
    ("10~20 items", "en", "ten to twenty items"),
    ("a 5-star review", "en", "a five-star review"),
    ("3:1", "en", "three to one"),
    ("25℃", "en", "twenty-five degrees Celsius"),
    ("2 items", "en", "two items"),
    ("iPhone15", "en", "iPhone fifteen"),
    ("MP3", "en", "MP three"),
    ("B2B", "en", "B two B"),
    ("0", "en", "zero"),
    ("13", "en", "thirteen"),
    ("110", "en", "one hundred ten"),
    ("1,000,000,000,000", "en", "one trillion"),
    ("192.168.1.1", "en", "one nine two dot one six eight dot one dot one"),
    ("订单10023", "en", "订单 one zero zero two three"),
]

HOSTILE = [
    ("", "zh", ""),
    ("", "en", ""),
    ("。，！？", "zh", "。，！？"),
    ("...!!!", "en", "...!!!"),
    ("９" * 40, "zh", "九" * 40),
    ("9" * 40, "en", " ".join(["nine"] * 40)),
    ("¥" + "9" * 40, "zh", "九" * 40 + "元"),
    ("１２３", "zh", "一百二十三"),
    ("订单１００１５", "zh", "订单幺零零幺五"),
    ("＄４５０", "en", "four hundred fifty dollars"),
    ("١٢٣", "zh", "一百二十三"),
    ("١٢٣", "en", "one hundred twenty-three"),
    ("订单\x0010023", "zh", "订单 幺零零二三"),
    ("a\u200bb", "en", "ab"),
    ("Ｓ Ｏ", "en", "S O"),
    ("订单10023\r\n金额5元", "zh", "订单幺零零二三 \n金额五元"),
    ("1..2", "en", "one..two"),
    ("--5", "en", "--five"),
    ("#", "en", "#"),
    ("¥", "zh", "¥"),
    ("¥ 元", "zh", "¥ 元"),
    (":::", "zh", ":::"),
    ("订单№5 😀 Заказ 123", "zh", "订单编号五 😀 Заказ 一百二十三"),
    ("Заказ 123 😀", "en", "Заказ one hundred twenty-three 😀"),
    ("١٢٣٤٥٦ طلب", "zh", "幺二三四五六 طلب"),
    ("ＡＢＣ－１２３", "zh", "A B C，幺二三"),
    ("𝟏𝟐𝟑", "zh", "一百二十三"),
    ("①②", "zh", "①②"),
    ("12:34:56:78", "zh", "十二:三十四:五十六:七十八"),
]

CASES = ZH_AMOUNTS + ZH_IDS + ZH_PHONES + ZH_TIMES_DATES + ZH_COUNTS + ZH_NUMBERS + ZH_MIXED + EN_CASES + HOSTILE


@pytest.mark.parametrize(("text", "lang", "words"), CASES, ids=[f"{lang}:{text[:40]!r}" for text, lang, _ in CASES])
def test_each_text_is_said_as_the_table_says(text: str, lang: str, words: str) -> None:
    assert normalise(text, lang) == words


def test_the_table_has_at_least_150_cases_in_both_languages() -> None:
    assert len(CASES) >= 150
    assert sum(lang == "zh" for _, lang, _ in CASES) >= 75 and sum(lang == "en" for _, lang, _ in CASES) >= 75


AMOUNTS = [
    (Decimal("1280.50"), "CNY", "zh", "一千二百八十元五角"),
    (Decimal("128"), "RMB", "zh", "一百二十八元"),
    (Decimal("2"), "¥", "zh", "两元"),
    (Decimal("0.05"), "元", "zh", "五分"),
    (Decimal("-30"), "cny", "zh", "负三十元"),
    (Decimal("450.00"), "USD", "zh", "四百五十美元"),
    (Decimal("450.00"), "USD", "en", "four hundred fifty dollars"),
    (Decimal("89.9"), "$", "en", "eighty-nine dollars and ninety cents"),
    (Decimal("0.01"), "EUR", "en", "one cent"),
    (Decimal("1280.5"), "CNY", "en-US", "one thousand two hundred eighty point five yuan"),
    (Decimal("1E+3"), "GBP", "en", "one thousand pounds"),
    (3000, "CNY", "zh-CN", "三千元"),
    ("59.00", "CNY", "zh", "五十九元"),
]


@pytest.mark.parametrize(("amount", "currency", "lang", "words"), AMOUNTS)
def test_say_amount_says_a_platform_amount_field(amount: Decimal, currency: str, lang: str, words: str) -> None:
    assert say_amount(amount, currency, lang) == words


@pytest.mark.parametrize(("amount", "currency", "lang", "problem"), [
    (Decimal("NaN"), "CNY", "zh", "not a finite number"),
    (Decimal("Infinity"), "CNY", "zh", "not a finite number"),
    (12.5, "CNY", "zh", "is a float"),
    ("twelve", "CNY", "zh", "is not a number"),
    (Decimal("1E+30"), "CNY", "zh", "too large"),
    (Decimal("5"), "XYZ", "zh", "unknown currency 'XYZ'"),
    (Decimal("5"), "CNY", "fr", "only zh and en"),
])
def test_say_amount_refuses_bad_input_with_a_one_line_reason(
    amount: Decimal, currency: str, lang: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem) as raised:
        say_amount(amount, currency, lang)
    assert "\n" not in str(raised.value)


def test_the_platform_amount_field_is_said_instead_of_the_amount_in_the_text() -> None:
    assert normalise("提现申请 ¥3,000.00", "zh", amount=Decimal("3000.50")) == "提现申请 三千元五角"
    assert normalise("Refund of 100元", "en", amount=Decimal("99.5"), currency="USD") == (
        "Refund of ninety-nine dollars and fifty cents"
    )


def test_only_the_first_amount_comes_from_the_field() -> None:
    said = normalise("实付¥80，原价¥100", "zh", amount=Decimal("79.9"))
    assert said == "实付七十九元九角，原价一百元"


def test_a_text_without_an_amount_is_left_as_written_even_with_an_amount_field() -> None:
    assert normalise("客户张三提交了订单10023", "zh", amount=Decimal("5")) == "客户张三提交了订单幺零零二三"


def test_an_unknown_currency_field_is_logged_and_the_texts_own_amount_is_said(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="node.normalise"):
        said = normalise("金额128.00元", "zh", amount=Decimal("5"), currency="XYZ")

    assert said == "金额一百二十八元"
    assert "unknown currency 'XYZ'" in caplog.text


def test_other_languages_are_only_tidied_for_their_own_voice() -> None:
    assert normalise("Commande １２３\x00 à 14:05", "fr") == "Commande 123  à 14:05"


ALPHABET = list("0123456789０١٢,.:-/~#%‰$¥￥€£+() 　年月日号件元订单号 \x00\n\tABCxyz第")


@pytest.mark.timeout(120)  # a guard against runaway regular expressions, not a speed measure
def test_hostile_text_never_raises_and_leaves_no_digit_unread(caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(20261125)  # fixed seed: the same texts every run
    texts = ["".join(rng.choices(ALPHABET, k=rng.randint(0, 60))) for _ in range(3000)]
    texts += ["9" * 4000, "1," * 5000, "1." * 5000, "-" * 5000 + "5", "¥" * 3000 + "1", "12:" * 3000]
    with caplog.at_level(logging.ERROR):
        for text in texts:
            for lang in ("zh", "en", "zh-CN", "xx"):
                said = normalise(text, lang)
                assert isinstance(said, str)
                if lang != "xx":
                    assert not re.search("[0-9]", said), (text, lang, said)
    assert not caplog.records, caplog.text


@pytest.mark.timeout(120)
def test_a_very_long_text_is_read_in_full() -> None:
    sentence = "客户孙七申请退款，订单号10031，金额128.00元。"
    said = normalise(sentence * 20000, "zh")

    assert said == "客户孙七申请退款，订单号幺零零三幺，金额一百二十八元。" * 20000


def sample_sentences() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["content"], "zh" if re.search("[\u4e00-\u9fff]", row["content"]) else "en") for row in rows]


def test_no_sample_sentence_keeps_a_digit_or_a_currency_sign() -> None:
    sentences = sample_sentences()
    assert len(sentences) >= 40 and {lang for _, lang in sentences} == {"zh", "en"}
    for text, lang in sentences:
        said = normalise(text, lang)
        assert not re.search("[0-9¥￥$€£%#]", said), (text, said)
