"""Traditional Chinese read as simplified, so one keyword list serves both scripts.

A small built-in table (no dependency): the traditional forms of the characters
the default rules use and of common e-commerce, payment and system words. Each
maps one character to one character, so a position in the folded text is the
same position in the original (a match can be reported in the writer's own
script). Only characters that are *not* themselves in everyday simplified use
are mapped (乾, 著, 么 are left alone), so simplified text passes unchanged.
"""

from __future__ import annotations

# traditional, simplified: read in pairs
_PAIRS = (
    # orders, buying, goods
    "訂订單单貨货購购買买賣卖價价錢钱費费額额號号碼码項项類类標标樣样產产庫库倉仓裝装運运輸输遞递郵邮達达發发"
    "鋪铺舖铺櫃柜優优贈赠禮礼劵券紅红專专業业條条結结賬账帳账戶户筆笔幣币圓圆塊块萬万億亿兩两餘余"
    "實实際际確确認认簽签約约寶宝網网頁页點点擊击選选擇择車车輛辆麵面飯饭飲饮紙纸貼贴盤盘"
    # refunds, appeals, complaints, withdrawals
    "訴诉訟讼爭争紛纷維维權权賠赔償偿罰罚滿满僅仅換换歸归還还補补帳账轉转匯汇滙汇現现銀银鈔钞財财貸贷兌兑獎奖勵励積积"
    "請请審审覈核評评論论詢询問问題题願愿說说話话語语讀读寫写錄录圖图聯联繫系係系"
    # onboarding
    "註注冊册駐驻資资質质證证創创設设計计劃划畫画員员會会議议長长辦办稱称檢检驗验測测試试準准備备級级關关"
    # system
    "統统時时連连絕绝誤误錯错務务敗败數数據据報报異异斷断開开啟启閉闭掛挂壞坏復复應应該该響响聲声鐘钟鈴铃"
    "線线綫线纜缆鏈链鎖锁鑰钥機机腦脑電电雲云體体軟软壓压態态擬拟執执"
    # everyday words around them
    "們们為为這这個个來来對对後后動动於于與与將将過过邊边讓让區区國国華华東东廣广廠厂場场門门頭头顧顾緊紧遲迟滯滞"
    "親亲愛爱傳传歷历曆历舊旧並并參参盡尽嚴严隨随規规範范圍围則则稅税帶带衝冲凍冻攔拦擋挡戰战鬥斗經经營营銷销"
    "內内隊队氣气溫温濕湿燈灯鐵铁風风飛飞馬马魚鱼鳥鸟嗎吗麼么謝谢讚赞簡简閱阅慶庆贖赎裡里裏里臺台檯台灣湾縣县龍龙"
    "無无沒没為为給给從从幫帮總总處处當当樣样還还認认識识錢钱額额擔担憂忧誠诚懇恳騙骗詐诈暫暂"
    # common surnames in names on the platform
    "張张劉刘趙赵孫孙吳吴鄭郑陳陈楊杨黃黄許许馮冯葉叶蘇苏盧卢蔣蒋鄧邓羅罗韓韩譚谭歐欧錢钱"
)
TABLE = {ord(_PAIRS[i]): ord(_PAIRS[i + 1]) for i in range(0, len(_PAIRS), 2) if _PAIRS[i] != _PAIRS[i + 1]}


def to_simplified(text: str) -> str:
    """``text`` with the table's traditional characters in simplified form; same length."""
    return text.translate(TABLE)
