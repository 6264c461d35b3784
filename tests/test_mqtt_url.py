"""Broker settings come from one URL; a bad one is refused with a clear message."""

from __future__ import annotations

import pytest

from mqtt import DEFAULT_URL, BrokerSettings, BrokerURLError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1", BrokerSettings(host="127.0.0.1", port=1883)),
        ("mqtts://broker.example.com", BrokerSettings(host="broker.example.com", port=8883, tls=True)),
        ("mqtt://broker:1884", BrokerSettings(host="broker", port=1884)),
        ("mqtts://broker:443/", BrokerSettings(host="broker", port=443, tls=True)),
        ("mqtt://[::1]:1883", BrokerSettings(host="::1", port=1883)),
        ("MQTT://Broker.Example.COM", BrokerSettings(host="broker.example.com", port=1883)),
        ("mqtt://hub@broker", BrokerSettings(host="broker", port=1883, username="hub")),
        (
            "mqtt://hub:s3cret@broker",
            BrokerSettings(host="broker", port=1883, username="hub", password="s3cret"),
        ),
        (
            "mqtt://spk%2Ffinance:p%40ss%3Aw%2Fo%23rd%3F@broker:1883",
            BrokerSettings(host="broker", port=1883, username="spk/finance", password="p@ss:w/o#rd?"),
        ),
        (
            "mqtt://%E9%9F%B3%E7%AE%B1:%E5%AF%86%E7%A0%81@broker",
            BrokerSettings(host="broker", port=1883, username="音箱", password="密码"),
        ),
        (
            "mqtts://broker?ca=/etc/shopcrier/ca.pem",
            BrokerSettings(host="broker", port=8883, tls=True, ca_file="/etc/shopcrier/ca.pem"),
        ),
        ("mqtt://broker?keepalive=5", BrokerSettings(host="broker", port=1883, keepalive=5)),
        ("mqtt://broker?keepalive=3600", BrokerSettings(host="broker", port=1883, keepalive=3600)),
        (
            "mqtts://u:p@broker:8884?ca=ca.pem&keepalive=60",
            BrokerSettings(
                host="broker", port=8884, tls=True, username="u", password="p", ca_file="ca.pem", keepalive=60
            ),
        ),
    ],
)
def test_a_broker_url_is_read_into_settings(url: str, expected: BrokerSettings) -> None:
    settings = BrokerSettings.from_url(url)
    assert settings == expected
    # __eq__ compares every field, but __repr__ hides some: say which differs when one does
    assert vars(settings) == vars(expected)


def test_the_default_url_is_the_local_broker_with_a_30s_keepalive() -> None:
    settings = BrokerSettings.from_url(DEFAULT_URL)
    assert (settings.host, settings.port, settings.tls, settings.keepalive) == ("127.0.0.1", 1883, False, 30)
    assert settings.username is None and settings.password is None and settings.ca_file is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "must start with mqtt:// or mqtts://, got 'nothing'"),
        ("broker:1883", "must start with mqtt:// or mqtts://"),
        ("127.0.0.1:1883", "must start with mqtt:// or mqtts://"),
        ("http://broker", "must start with mqtt:// or mqtts://, got 'http'"),
        ("ws://broker:9001", "must start with mqtt:// or mqtts://, got 'ws'"),
        ("mqtt://", "has no host"),
        ("mqtt://:1883", "has no host"),
        ("mqtt://user:pw@", "has no host"),
        ("mqtt://broker/shopcrier", "takes no path, got '/shopcrier'"),
        ("mqtt://broker?qos=1", "unknown parameters: qos"),
        ("mqtt://broker?keepalive=30&tls=1&user=x", "unknown parameters: tls, user"),
        ("mqtt://broker?keepalive=4", "keepalive must be 5..3600 seconds, got '4'"),
        ("mqtt://broker?keepalive=3601", "keepalive must be 5..3600 seconds"),
        ("mqtt://broker?keepalive=ten", "keepalive must be 5..3600 seconds, got 'ten'"),
        ("mqtt://broker?keepalive=-30", "keepalive must be 5..3600 seconds"),
        ("mqtt://broker?keepalive=30.5", "keepalive must be 5..3600 seconds"),
        ("mqtt://broker?keepalive=²", "keepalive must be 5..3600 seconds"),
        ("mqtt://broker:port", "malformed host or port"),
        ("mqtt://broker:65536", "malformed host or port"),
        ("mqtt://broker:-1", "malformed host or port"),
        ("mqtt://broker:0", "port must be 1..65535, got 0"),
        ("mqtt://[::1", "malformed host or port"),
    ],
)
def test_a_bad_broker_url_is_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(BrokerURLError) as caught:
        BrokerSettings.from_url(url)
    assert message in str(caught.value)
    assert str(caught.value).startswith("broker URL ")


@pytest.mark.parametrize(
    "url",
    [
        "mqtt://hub:hunter2-secret@broker",
        "mqtts://hub:hunter2-secret@broker:8883?ca=ca.pem",
        "mqtt://:hunter2-secret@broker",
        "mqtt://hub:hunter2%2Dsecret@broker",
    ],
)
def test_repr_and_str_never_show_the_password(url: str) -> None:
    settings = BrokerSettings.from_url(url)
    assert settings.password == "hunter2-secret"
    for text in (repr(settings), str(settings), f"{settings}", repr([settings])):
        assert "hunter2" not in text
        assert "broker" in text


def test_repr_shows_scheme_user_host_and_port() -> None:
    assert repr(BrokerSettings.from_url("mqtts://hub:pw@broker")) == "BrokerSettings(mqtts://hub:***@broker:8883)"
    assert repr(BrokerSettings.from_url("mqtt://broker")) == "BrokerSettings(mqtt://broker:1883)"


@pytest.mark.parametrize(
    "url",
    [
        "mqtt://hub:hunter2#x@broker",  # an unencoded "#" makes the rest of the password the fragment
        "mqtt://hub:hunter2/x@broker",  # an unencoded "/" makes the password the port
        "mqtt://hub:hunter2?x@broker",
    ],
)
def test_a_bad_url_with_a_password_is_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(BrokerURLError) as caught:
        BrokerSettings.from_url(url)
    assert "hunter2" not in str(caught.value)
    assert "percent-encode" in str(caught.value)
