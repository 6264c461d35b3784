"""What speakers say about alerts: a few native words in the hub's language; screens and `alerts` keep the full text."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from hub.intake.models import Source
from hub.monitor.alerts import clear_alert, raise_alert
from hub.monitor.models import Alert
from hub.monitor.spoken import spoken_alert
from hub.org.models import Department, SpeakerNode
from hub.sounds.language import set_hub_language
from hub.sounds.models import PromptSound
from node.espeak import parse_wav
from node.pcm import Pcm
from node.piper_tts import PiperVoiceEngine
from node.speech import join
from tests.attention_helpers import BASE, Clock
from tests.monitor_helpers import TECH, alerts_sent, spoken_on

pytestmark = pytest.mark.django_db


def speaker(node_id: str, department: str = "orders") -> SpeakerNode:
    return SpeakerNode.objects.create(node_id=node_id, department=Department.objects.get(slug=department))


def alert(kind: str, key: str, state: str = Alert.OPEN, flaps: int = 0) -> Alert:
    return Alert(kind=kind, key=key, subject=key, text="full text", state=state, flaps=flaps)


def shop(name: str = "main-shop", error: str = "") -> Source:
    return Source.objects.create(name=name, url="http://127.0.0.1:9/api", last_error=error)


CASES = [
    # (what happened, set up, alert, state, zh, en)
    ("speaker down", lambda: speaker("spk-orders-1"), alert(Alert.NODE, "node:spk-orders-1"), "opened",
     "订单部门音箱离线", "Orders speaker is offline."),
    ("speaker back", lambda: speaker("spk-orders-1"), alert(Alert.NODE, "node:spk-orders-1"), "resolved",
     "订单部门音箱已恢复", "Orders speaker is back online."),
    ("one of two speakers down", lambda: (speaker("spk-orders-1"), speaker("spk-orders-2")),
     alert(Alert.NODE, "node:spk-orders-2"), "opened", "订单部门一台音箱离线", "One orders speaker is offline."),
    ("speaker flapping", lambda: speaker("spk-finance-1", "finance"),
     alert(Alert.NODE, "node:spk-finance-1", Alert.FLAPPING), "opened", "财务部门音箱时断时续",
     "Finance speaker keeps dropping out."),
    ("speaker settled", lambda: speaker("spk-finance-1", "finance"),
     alert(Alert.NODE, "node:spk-finance-1", Alert.RESOLVED, flaps=12), "resolved", "财务部门音箱已稳定",
     "Finance speaker is stable again."),
    ("unknown speaker down", lambda: None, alert(Alert.NODE, "node:spk-x"), "opened",
     "一台未登记的音箱离线", "An unregistered speaker is offline."),
    ("platform refuses the key", lambda: shop(error="HTTP 401 Unauthorized: {}"), alert(Alert.SOURCE, "source:main-shop"),
     "opened", "平台拒绝了密钥", "The shop platform refuses our key."),
    ("platform server fails", lambda: shop(error="HTTP 502 Bad Gateway: <html>"), alert(Alert.SOURCE, "source:main-shop"),
     "opened", "平台服务器故障", "The shop platform has a server fault."),
    ("platform rate-limits", lambda: shop(error="HTTP 429 Too Many Requests"), alert(Alert.SOURCE, "source:main-shop"),
     "opened", "平台请求被限流", "The shop platform is rate-limiting us."),
    ("platform silent", lambda: shop(error="no reply within 20 s"), alert(Alert.SOURCE, "source:main-shop"),
     "opened", "平台无响应", "The shop platform is not answering."),
    ("platform unreachable", lambda: shop(error="request failed: connection refused"),
     alert(Alert.SOURCE, "source:main-shop"), "opened", "连不上平台", "Cannot reach the shop platform."),
    ("platform slow", lambda: shop(), alert(Alert.SOURCE, "source:main-shop:slow"), "opened",
     "平台响应很慢", "The shop platform is slow."),
    ("platform back", lambda: shop(), alert(Alert.SOURCE, "source:main-shop"), "resolved",
     "平台已恢复", "The shop platform is back to normal."),
    ("one of two platforms silent", lambda: (shop(error="no reply within 20 s"), shop("tmall")),
     alert(Alert.SOURCE, "source:main-shop"), "opened", "平台main-shop无响应",
     "Shop platform main-shop is not answering."),
    ("hub lost the broker", lambda: None, alert(Alert.BROKER, "broker:shopcrier-hub-1"), "opened",
     "消息服务器断线", "Message server link lost."),
    ("hub has the broker again", lambda: None, alert(Alert.BROKER, "broker:shopcrier-hub-1"), "resolved",
     "消息服务器已恢复", "Message server link restored."),
]


@pytest.mark.parametrize(("what", "setup", "subject", "state", "zh", "en"), CASES, ids=[c[0] for c in CASES])
def test_each_alert_is_said_in_a_few_native_words(
    what: str, setup: object, subject: Alert, state: str, zh: str, en: str
) -> None:
    setup()  # type: ignore[operator]

    said = {lang: spoken_alert(subject, state, lang) for lang in ("zh", "en")}

    print(f"{what}: {said['zh']} | {said['en']}")
    assert said == {"zh": zh, "en": en}
    assert len(said["zh"].replace("main-shop", "")) <= 10 and len(said["en"].split()) <= 7
    assert not any(ch.isdigit() for ch in said["zh"] + said["en"])  # no ids, times or codes to stumble over


def espeak_mandarin(text: str) -> Pcm:
    """``text`` said by espeak-ng's ``cmn-latn-pinyin`` voice: the one that yields Mandarin phonemes on
    Debian 12's espeak-ng 1.51 (its ``cmn`` spells most characters out in English: issue 10)."""
    done = subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "--stdout", text], capture_output=True, check=True)
    return parse_wav(done.stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_alert_sentence_takes_under_three_seconds_to_say(lang: str) -> None:
    piper = PiperVoiceEngine.bundled() if lang == "en" else None
    longest = 0.0
    for _, _, _, _, zh, en in CASES:
        text = zh if lang == "zh" else en
        pcm = espeak_mandarin(text) if piper is None else join(list(piper.synthesize(text, lang)))
        assert np.abs(pcm.samples.astype(np.int32)).max() > 1000  # really said
        if piper is None:
            phonemes = subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-q", "-x", text],
                                      capture_output=True, text=True, check=True).stdout.strip()
            print(f"        {phonemes}")
            assert "(en)" not in phonemes or "main-shop" in text  # Mandarin throughout, but for a Latin name
        print(f"{pcm.seconds:4.1f} s  {text}")
        longest = max(longest, pcm.seconds)
    assert longest < 3.0


@pytest.mark.parametrize(("language", "heard"), [("zh", "订单部门音箱离线"), ("en", "Orders speaker is offline.")])
@pytest.mark.clock
def test_an_alert_is_said_in_the_hubs_language_while_screens_and_alerts_keep_the_full_text(
    language: str, heard: str
) -> None:
    set_hub_language(language)
    speaker("spk-orders-1")
    full = "Speaker spk-orders-1 is offline: its connection to the broker dropped (last heartbeat 2026-11-25 10:00:00 UTC)"

    raise_alert("node:spk-orders-1", Alert.NODE, "speaker spk-orders-1", full, Clock().now, BASE)

    [said] = spoken_on(TECH)
    assert (said.text, said.lang, said.category) == (heard, language, "system")
    assert said.sound == "alarm" and said.sound_url and said.sound_sha256  # the system category's prompt sound
    assert alerts_sent()[0].text == full
    assert Alert.objects.get().text == full


@pytest.mark.clock
def test_a_resolved_alert_comes_after_a_gentle_chime_not_the_alarm() -> None:
    speaker("spk-orders-1")
    clock = Clock()
    raise_alert("node:spk-orders-1", Alert.NODE, "speaker spk-orders-1", "Speaker spk-orders-1 is offline", clock.now, BASE)
    clear_alert("node:spk-orders-1", "Speaker spk-orders-1 is back online", clock.now, BASE)

    opened, resolved = spoken_on(TECH)
    chime = PromptSound.objects.get(name="chime")
    print(f"{opened.sound}: {opened.text} / {resolved.sound}: {resolved.text}")
    assert (opened.sound, resolved.sound) == ("alarm", "chime")
    assert resolved.sound_sha256 == chime.sha256 and resolved.text == "订单部门音箱已恢复"
