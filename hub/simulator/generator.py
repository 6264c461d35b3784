"""Realistic platform messages for every category, in Chinese and English."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "志强", "建华"]
EN_FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack", "Kate", "Leo", "Mia", "Noah"]
EN_LAST = ["Smith", "Jones", "Brown", "Wang", "Chen", "Taylor", "Lee", "Martin", "Garcia", "Lin", "Zhou", "Clark"]
APPS = ["web", "ios", "android", "miniprogram"]

# category -> language -> templates; {name} {order} {amount} {sku} {n}
TEMPLATES: dict[str, dict[str, list[str]]] = {
    "order": {
        "zh": ["客户{name}提交了订单{order}", "新订单：{name}购买了{n}件商品，订单号{order}，待发货", "{name}下单成功，订单号{order}，实付{amount}元"],
        "en": ["Customer {name} placed order #{order}", "New order #{order} from {name}, total ${amount}"],
    },
    "appeal": {
        "zh": ["用户{name}对订单{order}发起申诉：商品与描述不符", "{name}投诉快递{n}天未更新物流信息"],
        "en": ["{name} opened a dispute on order #{order}: item never arrived", "{name} filed a complaint about late delivery"],
    },
    "refund": {
        "zh": ["客户{name}申请退款，订单号{order}，金额{amount}元", "{name}申请退货退款，订单{order}，原因：尺码不合适"],
        "en": ["{name} requested a refund for order #{order}", "Return request received from {name} for order #{order}"],
    },
    "withdrawal": {
        "zh": ["用户{name}申请了提现，请及时审核", "店铺{name}发起提现申请 ¥{amount}"],
        "en": ["Seller {name} requested a withdrawal of ${amount} — please review", "Payout request from vendor {name} awaiting approval"],
    },
    "onboarding": {
        "zh": ["新商家{name}申请入驻，请审核资质", "新用户{name}完成注册"],
        "en": ["New merchant application from {name}", "New customer account registered: {name}"],
    },
    "system": {
        "zh": ["支付回调接口连续{n}次超时", "库存同步任务失败：数据库连接被拒绝"],
        "en": ["Payment gateway returned HTTP 503 for {n} minutes"],
    },
    "other": {
        "zh": ["{name}在商品详情页留言：请问有现货吗"],
        "en": ["{name} left a 5-star review on product SKU-{sku}"],
    },
}
WEIGHTS = {"order": 10, "refund": 3, "appeal": 2, "withdrawal": 2, "onboarding": 2, "system": 1, "other": 2}


class Generator:
    """Yields platform messages; ``expected_category`` says what each one is."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)
        self.count = 0

    def name(self, lang: str) -> str:
        r = self.random
        if lang == "zh":
            return r.choice(ZH_SURNAMES) + r.choice(ZH_GIVEN)
        return f"{r.choice(EN_FIRST)} {r.choice(EN_LAST)}"

    def one(self) -> dict[str, Any]:
        r = self.random
        self.count += 1
        category = r.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        lang = r.choice(["zh", "zh", "en"])
        templates = TEMPLATES[category].get(lang) or TEMPLATES[category]["zh"]
        name = self.name(lang)
        content = r.choice(templates).format(
            name=name,
            order=r.randint(10000, 99999),
            amount=f"{r.randint(10, 9999)}.{r.randint(0, 99):02d}",
            sku=r.randint(100, 999),
            n=r.randint(2, 9),
        )
        return {
            "id": f"sim-{self.count}",
            "app": r.choice(APPS),
            "user": {"id": f"u-{r.randint(1000, 9999)}", "name": name},
            "content": content,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "expected_category": category,
        }

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            yield self.one()
