"""Write hub/rules/corpus/train.jsonl: the labelled messages the learned fallback trains on.

Deterministic (a fixed seed): running it again writes the same file, so the
shipped model is the same on every clone. Each category has sentence templates
in simplified Chinese, traditional Chinese and English, worded the way
Taobao/Tmall, JD, Pinduoduo, Youzan, Shopify, WooCommerce, Amazon Seller
Central and django-oscar word their notifications, filled with varied names,
numbers and amounts; hand-written lines follow in ``HAND``.

The held-back set (hub/rules/corpus/heldout.jsonl) is written separately, in
other words, and is never read here or used to tune anything.

    python script/corpus.py            # rewrite the file
    python script/corpus.py --check    # exit 1 if the file is not what this script writes
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "hub" / "rules" / "corpus" / "train.jsonl"
PER_TEMPLATE = 4
SEED = 20261129

NAMES_HANS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙悦", "马超", "朱琳", "胡斌"]
NAMES_HANT = ["陳怡君", "林志豪", "黃淑芬", "張家豪", "李雅婷", "王建宏", "吳佩珊", "劉冠廷", "蔡宗翰", "鄭雅雯"]
NAMES_EN = ["Oliver Smith", "Amelia Jones", "Jack Taylor", "Isla Brown", "Harry Wilson", "Ava Davies", "Leo Evans",
            "Mia Thomas", "Ethan Roberts", "Grace Walker", "Lucas Wright", "Chloe Green"]
GOODS_HANS = ["连衣裙", "蓝牙音箱", "保温饭盒", "儿童雨靴", "有机大米 5kg", "机械键盘", "瑜伽垫", "面霜套装"]
GOODS_HANT = ["洋裝", "藍牙喇叭", "保溫便當盒", "兒童雨鞋", "有機白米", "機械鍵盤", "瑜珈墊", "保養品組"]
GOODS_EN = ["denim jacket", "desk lamp", "running shoes", "coffee grinder", "phone case", "wool scarf", "yoga mat", "backpack"]
PLATFORMS_HANS = ["淘宝", "天猫", "京东", "拼多多", "有赞", "抖店", "微店", "快手小店", "小程序商城"]
PLATFORMS_HANT = ["蝦皮", "momo", "PChome", "露天", "Yahoo 購物中心", "官方網店"]
PLATFORMS_EN = ["Shopify", "WooCommerce", "Amazon", "eBay", "Etsy", "Oscar", "BigCommerce", "Magento"]
HOSTS = ["app-01", "web-03", "db-main", "worker-2", "api-gw", "cache-1"]

T: dict[str, dict[str, list[str]]] = {
    "order": {
        "zh-Hans": [
            "客户{name}提交了订单{num}",
            "{platform}：您有新的订单，订单号{num}，请及时发货",
            "买家{name}下单购买了{goods}，实付{amount}元",
            "新订单通知：{name}购买{goods}×{qty}，订单金额¥{amount}",
            "{platform}提醒：买家已付款，待发货订单+1（{num}）",
            "用户{name}成功下单，订单{num}已支付",
            "您的店铺成交一笔，宝贝：{goods}",
            "{platform}：订单{num}支付成功，请尽快安排出库",
            "有新的待发货订单，收货人{name}",
            "顾客{name}拍下{goods}，请核对库存后发货",
        ],
        "zh-Hant": [
            "客戶{name}提交了訂單{num}",
            "{platform}：您有一筆新訂單，訂單編號{num}",
            "買家{name}購買了{goods}，實付 NT${amount}",
            "新訂單通知：{name}下單{goods}共{qty}件",
            "{platform}提醒：買家已完成付款，請盡快出貨",
            "會員{name}成功下單，訂單{num}已付款",
            "您的商店成交一筆訂單：{goods}",
            "有新的待出貨訂單，收件人{name}",
        ],
        "en": [
            "New order #{num} from {name}",
            "{platform}: Order #{num} placed by {name}, total ${amount}",
            "{name} purchased {qty} x {goods}",
            "You received a new order ({num}) for {goods}",
            "{platform}: order {num} is paid and awaiting fulfillment",
            "Order confirmation: {name} bought {goods} for £{amount}",
            "Sale! {goods} ordered by {name}",
            "{platform} Seller Central: sold, ship now - order {num}",
            "Checkout completed by {name}: {qty} items",
            "A customer placed order {num} in your store",
        ],
    },
    "appeal": {
        "zh-Hans": [
            "用户{name}对订单{num}发起申诉：商品与描述不符",
            "{platform}：买家发起维权，订单{num}，请在48小时内处理",
            "客户{name}投诉物流太慢，订单{num}",
            "订单{num}产生交易纠纷，平台客服已介入",
            "买家{name}申请平台仲裁，理由：未收到货",
            "{platform}：您收到一条消费者投诉，请尽快回复",
            "顾客{name}对客服处理结果不满，提出申诉",
            "买家举报店铺虚假发货，订单{num}",
        ],
        "zh-Hant": [
            "用戶{name}對訂單{num}提出申訴：商品與描述不符",
            "{platform}：買家提出爭議，訂單{num}",
            "客戶{name}投訴物流太慢",
            "訂單{num}發生交易糾紛，平台客服已介入",
            "買家{name}申請平台仲裁，理由：未收到商品",
            "顧客{name}對客服處理結果不滿，提出客訴",
            "消費者檢舉賣場商品不實，訂單{num}",
        ],
        "en": [
            "Dispute opened by {name} on order #{num}",
            "{platform}: chargeback filed for order {num}, reason: unauthorized",
            "Customer {name} submitted a complaint about order {num}",
            "A-to-z claim received on order {num}",
            "The buyer appealed the decision on case {num}",
            "{name} opened a case: item not received (order {num})",
            "Payment for order {num} was disputed by the cardholder",
            "Complaint escalated: {name} is unhappy with the resolution",
            "Buyer {name} requested arbitration for order {num}",
        ],
    },
    "refund": {
        "zh-Hans": [
            "客户{name}申请退款，订单号{num}，金额{amount}元",
            "{platform}：买家申请退货退款，订单{num}",
            "用户{name}申请仅退款，原因：质量问题",
            "订单{num}有一笔退款待审核，金额¥{amount}",
            "买家{name}发起售后申请：退货，商品{goods}",
            "{platform}：退款申请超时未处理将自动退款",
            "顾客{name}要求退还货款{amount}元",
            "买家已退回商品{goods}，请确认收货并退款",
        ],
        "zh-Hant": [
            "客戶{name}申請退款，訂單編號{num}，金額{amount}元",
            "{platform}：買家申請退貨退款，訂單{num}",
            "用戶{name}申請退款，原因：品質問題",
            "訂單{num}有一筆退款待審核",
            "買家{name}申請退貨，商品{goods}",
            "顧客{name}要求退還貨款 NT${amount}",
            "買家已寄回{goods}，請確認後辦理退款",
        ],
        "en": [
            "Refund requested by {name} for order #{num} (${amount})",
            "{platform}: order #{num} refunded, amount £{amount}",
            "Return request for {goods} from {name}",
            "{name} wants to return order {num}: wrong size",
            "RMA {num} created for {goods}",
            "Return label requested for order {num}",
            "{platform}: a buyer requested a return and refund",
            "Money back requested on order {num}",
            "Item returned by {name}; please issue the refund",
        ],
    },
    "withdrawal": {
        "zh-Hans": [
            "用户{name}申请了提现，请及时审核",
            "分销员{name}申请提现{amount}元",
            "商家申请提现货款¥{amount}，待财务审核",
            "{name}提交了余额提现申请，金额{amount}元",
            "推广员{name}申请佣金提现，请审核",
            "有一笔提现待处理：{name}，{amount}元",
            "团长{name}申请提取佣金{amount}元",
            "店铺发起结算提现，金额{amount}元",
        ],
        "zh-Hant": [
            "用戶{name}申請了提現，請及時審核",
            "分銷員{name}申請提現{amount}元",
            "賣家申請提領餘額 NT${amount}",
            "{name}提交了提領申請，金額{amount}元",
            "推廣員{name}申請佣金提現，請審核",
            "有一筆提領待處理：{name}",
            "商家申請撥款 NT${amount}，待財務審核",
        ],
        "en": [
            "{name} requested a withdrawal of ${amount}",
            "Payout request from vendor {name}: £{amount}",
            "Withdrawal pending approval: {amount} USD for {name}",
            "{platform}: seller {name} requested a payout",
            "Affiliate {name} wants to cash out ${amount}",
            "Commission withdrawal submitted by {name}",
            "Balance withdrawal request #{num} awaiting finance review",
            "{name} asked to transfer earnings of ${amount} to their bank",
        ],
    },
    "onboarding": {
        "zh-Hans": [
            "新商家{name}申请入驻，请审核资质",
            "用户{name}完成注册",
            "{platform}：有新的店铺提交开店申请",
            "供应商{name}提交入驻资料，等待审核",
            "新用户{name}注册成功，来源：小程序",
            "商家{name}申请开通店铺，请审核营业执照",
            "{name}申请成为分销员，请审核",
            "有新商户提交资质认证，请尽快审核",
        ],
        "zh-Hant": [
            "新商家{name}申請進駐，請審核資質",
            "用戶{name}完成註冊",
            "{platform}：有新的賣場提交開店申請",
            "供應商{name}提交入駐資料，等待審核",
            "新會員{name}註冊成功",
            "商家{name}申請開通商店，請審核營業登記",
            "{name}申請成為推廣夥伴，請審核",
        ],
        "en": [
            "New merchant application from {name}",
            "{name} signed up for an account",
            "{platform}: new vendor registration pending approval",
            "Seller {name} submitted onboarding documents",
            "New customer account created for {name}",
            "{name} applied to become a vendor",
            "A new store was registered by {name}",
            "New affiliate application from {name}",
        ],
    },
    "system": {
        "zh-Hans": [
            "支付回调接口连续{qty}次超时",
            "服务器{host}宕机，请立即处理",
            "订单同步任务失败：{host}连接被拒绝",
            "接口异常：HTTP 503，来自{host}",
            "{host}磁盘空间不足，剩余{qty}%",
            "短信通道余额不足，短信发送失败",
            "数据库连接失败，请检查{host}",
            "签名校验失败，回调请求被拒绝",
            "{host}内存使用率过高，已达{pct}%",
            "证书即将过期，请及时续期",
        ],
        "zh-Hant": [
            "付款回調介面連續{qty}次逾時",
            "伺服器{host}當機，請立即處理",
            "訂單同步任務失敗：{host}連線被拒絕",
            "介面異常：HTTP 502，來自{host}",
            "{host}磁碟空間不足",
            "簡訊通道餘額不足，發送失敗",
            "資料庫連線失敗，請檢查{host}",
            "簽章驗證失敗，請求被拒絕",
        ],
        "en": [
            "Payment callback timed out {qty} times in a row",
            "Server {host} is down",
            "Order sync failed: connection refused by {host}",
            "HTTP 503 from {host}",
            "Disk usage on {host} at {pct}%",
            "SMS provider balance exhausted; messages not sent",
            "Database {host} unreachable",
            "Signature check failed for incoming webhook",
            "Memory usage high on {host} ({pct}%)",
            "TLS certificate for {host} expires soon",
            "Job queue stuck: worker {host} not responding",
        ],
    },
    "other": {
        "zh-Hans": [
            "平台公告：{platform}将调整运费模板规则",
            "您的店铺本周访客数为{qty}00",
            "{name}给您的商品{goods}留下了好评",
            "买家{name}咨询：{goods}什么时候到货？",
            "营销活动报名即将截止，请尽快报名",
            "您有一条新的站内消息",
            "店铺动态评分已更新",
            "{platform}：新版商家后台上线，欢迎体验",
        ],
        "zh-Hant": [
            "平台公告：{platform}將調整運費規則",
            "您的賣場本週瀏覽數為{qty}00",
            "{name}給您的商品{goods}留下了好評",
            "買家{name}詢問：{goods}何時到貨？",
            "行銷活動報名即將截止",
            "您有一則新的站內訊息",
            "賣場評分已更新",
        ],
        "en": [
            "{platform} announcement: new shipping policy next month",
            "Your store had {qty}00 visitors this week",
            "{name} left a review for {goods}",
            "Question from {name}: is {goods} in stock?",
            "Promotion sign-ups close soon",
            "You have a new message",
            "Seller performance report is ready",
            "{platform}: try the new dashboard",
        ],
    },
}

# Hand-written lines, as platforms and shop owners word them.
HAND: list[tuple[str, str, str]] = [
    ("order", "zh-Hans", "【京东到家】您有新的订单，请及时拣货"),
    ("order", "zh-Hans", "叮咚！有人下单啦，快去看看吧"),
    ("order", "zh-Hans", "拼单成功，买家已付款，请尽快发货"),
    ("order", "zh-Hant", "叮咚！有人下訂單了，快去看看"),
    ("order", "en", "Cha-ching! You have a new order"),
    ("order", "en", "WooCommerce: [Shop] New order (#2291)"),
    ("order", "en", "Amazon: Sold, ship now"),
    ("appeal", "zh-Hans", "买家申请小二介入，请上传举证材料"),
    ("appeal", "zh-Hans", "您的店铺收到一起交易投诉，影响店铺评分"),
    ("appeal", "zh-Hant", "買家要求平台介入處理，請上傳證明"),
    ("appeal", "en", "PayPal: A buyer has opened a dispute"),
    ("appeal", "en", "Shopify Payments: a chargeback was initiated"),
    ("appeal", "en", "Inquiry escalated to a claim by the buyer"),
    ("refund", "zh-Hans", "售后单待处理：买家申请退货"),
    ("refund", "zh-Hans", "买家撤销了退款申请"),
    ("refund", "zh-Hant", "售後單待處理：買家申請退貨"),
    ("refund", "en", "Return authorization (RMA) requested"),
    ("refund", "en", "The customer wants a refund for a damaged item"),
    ("withdrawal", "zh-Hans", "有新的提现申请，请前往财务中心审核"),
    ("withdrawal", "zh-Hant", "有新的提領申請，請前往財務中心審核"),
    ("withdrawal", "en", "New payout request awaiting your approval"),
    ("withdrawal", "en", "Vendor requested to withdraw their balance"),
    ("onboarding", "zh-Hans", "有新的入驻申请待审核"),
    ("onboarding", "zh-Hant", "有新的進駐申請待審核"),
    ("onboarding", "en", "Vendor registration: new application received"),
    ("system", "zh-Hans", "告警：CPU 使用率持续超过 90%"),
    ("system", "zh-Hans", "物流查询接口报错，错误码 500"),
    ("system", "zh-Hant", "警示：CPU 使用率持續超過 90%"),
    ("system", "en", "ALERT: 500 Internal Server Error on checkout API"),
    ("system", "en", "Cron job failed: nightly inventory export"),
    ("other", "zh-Hans", "今日店铺数据日报已生成"),
    ("other", "zh-Hant", "今日賣場數據日報已生成"),
    ("other", "en", "Your daily sales summary is ready"),
    # "other" is everything that is none of the six kinds: shop chores, chat, content, notices
    ("other", "zh-Hans", "明天上午十点开周会"),
    ("other", "zh-Hans", "请把详情页的主图换成新拍的"),
    ("other", "zh-Hans", "直播间下午两点开播，记得提前调试灯光"),
    ("other", "zh-Hans", "新品文案已经写好，请运营确认"),
    ("other", "zh-Hans", "仓库下周盘点，请提前整理货架"),
    ("other", "zh-Hans", "首页轮播图的颜色需要调整"),
    ("other", "zh-Hans", "今天下雨，快递可能会晚一点到"),
    ("other", "zh-Hans", "客服排班表已经更新"),
    ("other", "zh-Hans", "买家问能不能开发票"),
    ("other", "zh-Hans", "店铺装修模板已过期，可续费使用"),
    ("other", "zh-Hant", "明天上午十點開週會"),
    ("other", "zh-Hant", "請把商品頁的主圖換成新拍的"),
    ("other", "zh-Hant", "直播下午兩點開始，記得先測試燈光"),
    ("other", "zh-Hant", "新品文案已完成，請行銷確認"),
    ("other", "zh-Hant", "倉庫下週盤點，請先整理貨架"),
    ("other", "zh-Hant", "首頁橫幅的顏色需要調整"),
    ("other", "zh-Hant", "客服班表已更新"),
    ("other", "zh-Hant", "買家詢問可否開立發票"),
    ("other", "en", "Team meeting moved to 3 pm"),
    ("other", "en", "Please swap the hero image on the landing page"),
    ("other", "en", "The banner font looks too small on mobile"),
    ("other", "en", "Product descriptions for the spring collection are ready for proofreading"),
    ("other", "en", "Stocktake next Monday, tidy the shelves beforehand"),
    ("other", "en", "It is raining, couriers may arrive late today"),
    ("other", "en", "New staff rota has been posted"),
    ("other", "en", "Can someone rewrite the FAQ section"),
    ("other", "en", "Theme subscription renews next week"),
    ("other", "en", "Lunch break schedule changed for Friday"),
    ("other", "en", "Fix the typo in the footer text"),
    ("other", "en", "Upload the new logo to the about us page"),
]


def fill(template: str, script: str, rng: random.Random) -> str:
    names = {"zh-Hans": NAMES_HANS, "zh-Hant": NAMES_HANT, "en": NAMES_EN}[script]
    goods = {"zh-Hans": GOODS_HANS, "zh-Hant": GOODS_HANT, "en": GOODS_EN}[script]
    platforms = {"zh-Hans": PLATFORMS_HANS, "zh-Hant": PLATFORMS_HANT, "en": PLATFORMS_EN}[script]
    return template.format(
        name=rng.choice(names),
        goods=rng.choice(goods),
        platform=rng.choice(platforms),
        num=rng.randint(10000, 99999999),
        qty=rng.randint(2, 9),
        amount=f"{rng.randint(5, 9999)}.{rng.randint(0, 99):02d}",
        host=rng.choice(HOSTS),
        pct=rng.randint(85, 99),
    )


def lines() -> list[str]:
    rng = random.Random(SEED)
    out: list[str] = []
    seen: set[str] = set()
    for category, scripts in T.items():
        for script, templates in scripts.items():
            for template in templates:
                for _ in range(PER_TEMPLATE):
                    text = fill(template, script, rng)
                    if text not in seen:
                        seen.add(text)
                        out.append(json.dumps({"content": text, "expected_category": category, "script": script}, ensure_ascii=False))
    for category, script, text in HAND:
        if text not in seen:
            seen.add(text)
            out.append(json.dumps({"content": text, "expected_category": category, "script": script}, ensure_ascii=False))
    return out


def main() -> int:
    text = "\n".join(lines()) + "\n"
    if "--check" in sys.argv[1:]:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs from what script/corpus.py writes'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {text.count(chr(10))} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
