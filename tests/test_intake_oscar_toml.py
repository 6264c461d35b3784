"""A real shop configured only in TOML: the Oscar-shaped server read with sentences composed
from fields, spoken amounts from the amount field, no false alert at an exact multiple of
the page size, and one request per idle poll."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

import mqtt
from hub.confio.dump import dump_config
from hub.confio.errors import ConfigFileError
from hub.confio.load import apply_config
from hub.confio.parse import parse_text
from hub.intake.models import Message, Quarantine, Source
from hub.intake.poller import Poller
from hub.monitor.models import Alert
from hub.monitor.sources import SourceWatch
from hub.outbox.models import Delivery
from tests.attention_helpers import BASE, Clock
from tests.oscar_server import Customer, OscarServer

pytestmark = pytest.mark.django_db

SOURCE = """
[[sources]]
name = "oscar"
url = "{url}"
interval = "12s"
items = "results"
type = "order"
{language}
cursor = {{ field = "number" }}
pagination = {{ type = "page", param = "page", size = 10, order = "newest_first" }}
auth = {{ type = "basic", user = "admin", password_env = "OSCAR_PASSWORD" }}
fields = {{ id = "number", content = "{content}", user = "{{shipping_address.last_name}}{{shipping_address.first_name}}", amount = "total_incl_tax", currency = "currency", created_at = "date_placed" }}
"""
ZH = "客户{shipping_address.last_name}{shipping_address.first_name}提交了订单{number}"
EN = "Order {number} placed by {shipping_address.first_name} {shipping_address.last_name}"
ORDER = """
[[categories]]
slug = "order"
name = "订单"
sound = "order-chime"
template_zh = "{content}，金额{amount}"
template_en = "{content}, {amount}, order number {raw.number}"
"""


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[OscarServer]:
    monkeypatch.setenv("OSCAR_PASSWORD", "oscar-pass")
    with OscarServer() as server:
        yield server


def configure(shop: OscarServer, content: str = ZH, language: str = "") -> Source:
    text = SOURCE.format(url=shop.url, content=content, language=language) + ORDER
    apply_config(parse_text(text, "shop.toml"))
    return Source.objects.get(name="oscar")


def poll() -> None:
    Poller().poll_source(Source.objects.get(name="oscar"))


def spoken(message: Message) -> list[str]:
    rows = Delivery.objects.filter(message=message).exclude(announcement_id="")
    return sorted({mqtt.Announcement.from_json(bytes(d.payload)).text for d in rows})


def test_a_source_configured_only_in_toml_composes_sentences_and_says_the_amount_field(shop: OscarServer) -> None:
    shop.place(1, Customer(first_name="磊", last_name="黄"), total="50.50", currency="GBP")
    configure(shop)
    poll()

    message = Message.objects.get()
    assert message.content == "客户黄磊提交了订单100001"
    assert (message.user_name, message.external_id, message.platform_type) == ("黄磊", "100001", "order")
    assert (message.amount, message.currency, message.lang) == (Decimal("50.50"), "GBP", "zh")
    assert message.category is not None and message.category.slug == "order"
    assert spoken(message) == ["客户黄磊提交了订单100001，金额50.50英镑"]


def test_an_english_sentence_with_a_chinese_name_stays_english(shop: OscarServer) -> None:
    shop.place(1, Customer(first_name="磊", last_name="黄"), total="1299.00", currency="USD")
    configure(shop, content=EN)
    poll()

    message = Message.objects.get()
    assert (message.content, message.lang) == ("Order 100001 placed by 磊 黄", "en")
    assert spoken(message) == ["Order 100001 placed by 磊 黄, $1299.00, order number 100001"]


def test_a_source_language_overrides_detection(shop: OscarServer) -> None:
    shop.place(1, Customer(first_name="Lei", last_name="Huang"))
    configure(shop, content="{number}", language='language = "zh"')
    poll()
    assert Message.objects.get().lang == "zh"


@pytest.mark.clock
def test_at_a_multiple_of_the_page_size_no_alert_and_an_idle_poll_is_one_request(shop: OscarServer) -> None:
    shop.place(20, Customer(first_name="磊", last_name="黄"))
    configure(shop)
    clock, watch = Clock(), SourceWatch()
    for _ in range(4):
        shop.requests.clear()
        poll()
        watch.check(clock.advance(seconds=12), BASE)
    assert Message.objects.count() == 20
    assert len(shop.requests) == 1
    assert not Alert.objects.exists()


def test_an_item_missing_a_templated_field_is_quarantined_naming_it_and_the_others_are_kept(shop: OscarServer) -> None:
    shop.place(2, Customer(first_name="磊", last_name="黄"))
    shop.orders[0]["shipping_address"] = None
    configure(shop)
    poll()
    assert list(Message.objects.values_list("external_id", flat=True)) == ["100002"]
    [bad] = Quarantine.objects.all()
    assert "content template: the item has no {shipping_address.last_name} (fix fields.content" in bad.reason


def test_a_dump_of_the_composed_source_loads_back_as_a_no_op(shop: OscarServer) -> None:
    configure(shop, language='language = "en"')
    text = dump_config()
    assert 'type = "order"' in text and 'language = "en"' in text
    assert not apply_config(parse_text(text, "dump.toml")).changed


@pytest.mark.parametrize(
    ("snippet", "where", "why"),
    [
        ('amount = "{total}"', "sources[0].fields.amount", "must be a dotted path to the item's amount, not a template"),
        ('content = "{a[0]}"', "sources[0].fields.content", "is not a dotted path into the item"),
        ('content = "order {"', "sources[0].fields.content", "Single '{' encountered"),
    ],
)
def test_a_bad_field_template_is_refused_at_load_with_the_place_to_fix(snippet: str, where: str, why: str) -> None:
    text = f'[[sources]]\nname = "s"\nurl = "http://127.0.0.1:9/x"\nfields = {{ {snippet} }}\n'
    with pytest.raises(ConfigFileError) as refused:
        parse_text(text, "shop.toml")
    assert where in str(refused.value) and why in str(refused.value)


def test_a_category_template_naming_an_unknown_field_is_refused_at_load_with_the_place_to_fix() -> None:
    text = '[[categories]]\nslug = "order"\nname = "订单"\ntemplate_zh = "订单{number}"\n'
    with pytest.raises(ConfigFileError) as refused:
        parse_text(text, "shop.toml")
    assert "categories[0].template_zh" in str(refused.value)
    assert "unknown placeholder {number}" in str(refused.value) and "{raw.number}" in str(refused.value)
