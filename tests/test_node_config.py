"""The node's TOML config: the documented format loads; every mistake names its key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mqtt import BrokerSettings, Route
from node.__main__ import main
from node.config import DEFAULT_DATA_DIR, ConfigError, NodeSettings, load

GOOD = """\
id = "spk-orders-1"
broker = "mqtt://127.0.0.1:1883"
base_topic = "shopcrier"
data_dir = "state"
volume = 80
heartbeat_interval = 30
audio_device = ""
voices_dir = ""
[[routes]]
subsystem = "ops"
department = "orders"
[[routes]]
subsystem = "ops"
department = "finance"
staff = "003"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.toml"
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(path) in str(caught.value)
    return caught.value


def test_the_documented_format_loads(tmp_path: Path) -> None:
    settings = load(write(tmp_path, GOOD))

    assert settings == NodeSettings(
        id="spk-orders-1",
        broker=BrokerSettings.from_url("mqtt://127.0.0.1:1883"),
        base_topic="shopcrier",
        data_dir=tmp_path / "state",
        volume=80,
        heartbeat_interval=30,
        audio_device=None,
        voices_dir=None,
        routes=(Route("ops", "orders"), Route("ops", "finance", "003")),
    )


def test_only_id_and_broker_are_required(tmp_path: Path) -> None:
    settings = load(write(tmp_path, 'id = "n1"\nbroker = "mqtts://u:p@hub.example:8883"\n'))

    assert settings.data_dir == DEFAULT_DATA_DIR
    assert (settings.volume, settings.heartbeat_interval, settings.routes) == (80, 30, ())
    assert (settings.cache_mb, settings.language, settings.link_down_after, settings.link_down_repeat) == (
        64, "zh", 30, 300)
    assert settings.broker.tls and settings.broker.username == "u"


def test_a_relative_data_dir_resolves_against_the_files_directory(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "node.toml"
    path.write_text('id = "n1"\nbroker = "mqtt://h"\ndata_dir = "../var/node"\n')

    assert load(path).data_dir == (tmp_path / "var" / "node").resolve()


def test_an_audio_device_may_be_a_name_or_an_index(tmp_path: Path) -> None:
    base = 'id = "n1"\nbroker = "mqtt://h"\n'
    assert load(write(tmp_path, base + 'audio_device = "USB Audio"\n')).audio_device == "USB Audio"
    assert load(write(tmp_path, base + "audio_device = 2\n")).audio_device == 2


def test_voices_dir_must_exist(tmp_path: Path) -> None:
    (tmp_path / "voices").mkdir()
    base = 'id = "n1"\nbroker = "mqtt://h"\n'
    assert load(write(tmp_path, base + 'voices_dir = "voices"\n')).voices_dir == tmp_path / "voices"
    assert error_for(tmp_path, base + 'voices_dir = "nowhere"\n').key == "voices_dir"


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ('broker = "mqtt://h"\n', "id", "required"),
        ('id = "bad id!"\nbroker = "mqtt://h"\n', "id", "slug"),
        ('id = "n1"\n', "broker", "required"),
        ('id = "n1"\nbroker = "http://h"\n', "broker", "mqtt://"),
        ('id = "n1"\nbroker = "mqtt://h:99999"\n', "broker", "port"),
        ('id = "n1"\nbroker = "mqtt://h"\nvolume = 101\n', "volume", "0..100"),
        ('id = "n1"\nbroker = "mqtt://h"\nvolume = "loud"\n', "volume", "integer"),
        ('id = "n1"\nbroker = "mqtt://h"\nvolume = true\n', "volume", "integer"),
        ('id = "n1"\nbroker = "mqtt://h"\nheartbeat_interval = 1\n', "heartbeat_interval", "5..3600"),
        ('id = "n1"\nbroker = "mqtt://h"\nbase_topic = "a/+/b"\n', "base_topic", "base topic"),
        ('id = "n1"\nbroker = "mqtt://h"\ncache_mb = -1\n', "cache_mb", "0..4096"),
        ('id = "n1"\nbroker = "mqtt://h"\nlanguage = "Chinese"\n', "language", "language code"),
        ('id = "n1"\nbroker = "mqtt://h"\nlink_down_after = 0\n', "link_down_after", "1..3600"),
        ('id = "n1"\nbroker = "mqtt://h"\nlink_down_repeat = 1\n', "link_down_repeat", "5..86400"),
        ('id = 7\nbroker = "mqtt://h"\n', "id", "string"),
        ('id = "n1"\nbroker = "mqtt://h"\nvolumme = 50\n', "volumme", "unknown key"),
        ('id = "n1"\nbroker = "mqtt://h"\naudio_device = 1.5\n', "audio_device", "float"),
        ('id = "n1"\nbroker = "mqtt://h"\nroutes = "ops"\n', "routes", "array of tables"),
        ('id = "n1"\nbroker = "mqtt://h"\n[[routes]]\nsubsystem = "ops"\n', "routes[0].department", "required"),
        ('id = "n1"\nbroker = "mqtt://h"\n[[routes]]\nsubsystem = "ops"\ndepartment = "a b"\n',
         "routes[0].department", "slug"),
        ('id = "n1"\nbroker = "mqtt://h"\n[[routes]]\nsubsystem = "ops"\ndepartment = "x"\nfloor = 2\n',
         "routes[0].floor", "unknown key"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key(tmp_path: Path, text: str, key: str, says: str) -> None:
    error = error_for(tmp_path, text)

    assert error.key == key
    assert f": {key}: " in str(error)
    assert says in error.reason


def test_malformed_toml_is_refused_showing_the_broken_line(tmp_path: Path) -> None:
    error = error_for(tmp_path, 'id = "n1"\nbroker = "mqtt://h"\nvolume = = 3\n')

    assert "not valid TOML" in str(error)
    assert "line 3" in str(error) and "volume = = 3" in str(error)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path / "absent.toml")


def test_the_command_exits_2_with_the_message_for_a_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'id = "n1"\nbroker = "mqtt://h"\nvolume = 101\n')

    assert main(["--config", str(path)]) == 2
    assert f"{path}: volume: 101 is outside 0..100" in capsys.readouterr().err
