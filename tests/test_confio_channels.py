"""``[[channels]]`` in the configuration file: notification targets load, dump and prune like every table."""

from __future__ import annotations

import pytest

from hub.confio.dump import dump_config
from hub.confio.errors import ConfigFileError
from hub.confio.load import apply_config
from hub.confio.parse import parse_text
from hub.notify.models import Target

pytestmark = pytest.mark.django_db

FILE = """
[[channels]]
name = "orders-dingtalk"
kind = "apprise"
department = "orders"
url_env = "ORDERS_DINGTALK"

[[channels]]
name = "tech-feishu"
kind = "apprise"
department = "tech"
url_env = "TECH_FEISHU"
alerts = true
per_minute = 100

[[channels]]
name = "003-push"
kind = "webpush"
staff = "003"
"""


def load(text: str, prune: bool = False) -> None:
    apply_config(parse_text(text, "test.toml"), prune=prune)


def test_channels_load_as_written_and_a_dump_carries_them_without_secrets() -> None:
    load(FILE)

    ding = Target.objects.get(name="orders-dingtalk")
    assert (ding.kind, ding.department.slug if ding.department else None, ding.url_env, ding.per_minute) == (
        "apprise", "orders", "ORDERS_DINGTALK", 20)
    assert Target.objects.get(name="tech-feishu").alerts is True
    assert Target.objects.get(name="003-push").staff is not None
    dumped = dump_config()
    assert 'url_env = "ORDERS_DINGTALK"' in dumped and "dingtalk://" not in dumped

    load(dumped, prune=True)  # a dump loads back as a no-op
    assert Target.objects.count() == 3


def test_a_file_without_one_of_them_prunes_it() -> None:
    load(FILE)
    load(FILE.split("[[channels]]\nname = \"003-push\"")[0], prune=True)
    assert sorted(Target.objects.values_list("name", flat=True)) == ["orders-dingtalk", "tech-feishu"]


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        ('url_env = "ORDERS_DINGTALK"', "channels[0].url", "inline secret"),
        ('kind = "apprise"\ndepartment = "orders"', "channels[0].kind", "not a channel"),
        ('department = "orders"', "channels[0]", "not both"),
        ('url_env = "ORDERS_DINGTALK"', "channels[0].url_env", "not an environment variable name"),
        ('department = "orders"', "channels[0].department", "no department 'nowhere'"),
    ],
)
def test_a_bad_channel_is_refused_naming_where_it_is(change: str, where: str, why: str) -> None:
    first = FILE.split("\n\n[[channels]]\nname = \"tech")[0]
    bad = {
        "channels[0].url": first.replace(change, 'url = "dingtalk://SECRET@TOKEN/"'),
        "channels[0].kind": first.replace(change, 'kind = "pigeon"\ndepartment = "orders"'),
        "channels[0]": first.replace(change, 'department = "orders"\nstaff = "003"'),
        "channels[0].url_env": first.replace(change, 'url_env = "dingtalk://x"'),
        "channels[0].department": first.replace(change, 'department = "nowhere"'),
    }[where]
    with pytest.raises(ConfigFileError) as caught:
        load(bad)
    assert where in str(caught.value) and why in str(caught.value)
    assert not Target.objects.exists()
