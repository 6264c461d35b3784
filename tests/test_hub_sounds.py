"""Prompt sounds on the hub: the built-in ones, uploads checked in the admin, served by sha256, named in announcements."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import mqtt
from hub.intake.adapters import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline
from hub.rules.models import Category
from hub.sounds.audio import MAX_UPLOAD_BYTES, PLAYBACK_RATE, prepare, wav_bytes
from hub.sounds.library import install_builtin, served_file, sounds_dir
from hub.sounds.models import PromptSound
from hub.sounds.tones import BUILTIN, RATE, normalised
from node.loudness import TARGET_LUFS, loudness
from node.sounds import decode_wav
from tests.sound_helpers import encoded

pytestmark = pytest.mark.django_db
SettingsWrapper = Any  # pytest-django's settings fixture; its class is not public


@pytest.fixture(autouse=True)
def data_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """The hub's data dir (where sounds are served from) in this test's own directory."""
    settings.DATA_DIR = tmp_path / "hub-data"
    return Path(settings.DATA_DIR)


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def upload(client: Client, name: str, data: bytes, filename: str = "sound.wav") -> str:
    response = client.post(
        "/admin/sounds/promptsound/add/",
        {"name": name, "upload": SimpleUploadedFile(filename, data)},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def replace_sound(client: Client, name: str, data: bytes, filename: str) -> None:
    """Upload ``data`` over the sound ``name`` on its change page."""
    sound = PromptSound.objects.get(name=name)
    response = client.post(f"/admin/sounds/promptsound/{sound.pk}/change/",
                           {"name": name, "upload": SimpleUploadedFile(filename, data)})
    assert response.status_code == 302, response.content.decode()[-2000:]


def test_a_fresh_install_has_the_four_generated_sounds_in_the_speakers_format_levelled() -> None:
    sounds = {s.name: s for s in PromptSound.objects.all()}

    assert set(sounds) >= {"order-chime", "chime", "alert", "alarm"}
    for name in BUILTIN:
        sound = sounds[name]
        data = bytes(sound.wav)
        pcm = decode_wav(data)  # exactly what a speaker does with it
        heard = loudness(pcm)
        print(f"{name}: {pcm.seconds:.2f} s at {pcm.rate} Hz, {heard:.1f} LUFS, sha256 {sound.sha256[:12]}")
        assert sound.origin == PromptSound.GENERATED
        assert hashlib.sha256(data).hexdigest() == sound.sha256
        assert pcm.rate == PLAYBACK_RATE and 0.2 < pcm.seconds < 2.0
        assert heard is not None and abs(heard - TARGET_LUFS) < 1.0


def test_the_generated_sounds_start_and_end_softly_so_nothing_clicks() -> None:
    for name in BUILTIN:
        samples = decode_wav(bytes(PromptSound.objects.get(name=name).wav)).samples.astype(np.int32)
        peak, edge = int(np.abs(samples).max()), PLAYBACK_RATE // 1000  # the first and last millisecond
        print(f"{name}: peak {peak}, first ms {np.abs(samples[:edge]).max()}, last ms {np.abs(samples[-edge:]).max()}")
        assert np.abs(samples[:edge]).max() < peak * 0.25 and np.abs(samples[-edge:]).max() < peak * 0.25
        assert samples[0] == 0 and abs(int(samples[-1])) <= peak // 100


def test_the_generated_sounds_are_the_projects_own_deterministic_code() -> None:
    for name, make in BUILTIN.items():
        again = wav_bytes(prepare(normalised(make()), RATE))
        assert hashlib.sha256(again).hexdigest() == PromptSound.objects.get(name=name).sha256, name


def test_installing_the_built_in_sounds_again_changes_nothing_and_keeps_an_upload(admin_client_: Client) -> None:
    PromptSound.objects.filter(name="alarm").delete()
    replace_sound(admin_client_, "order-chime", encoded("FLAC"), "mine.flac")
    before = dict(PromptSound.objects.values_list("name", "sha256"))

    assert install_builtin() == ["alarm"]
    assert install_builtin() == []
    after = dict(PromptSound.objects.values_list("name", "sha256"))
    assert after["order-chime"] == before["order-chime"]
    assert PromptSound.objects.get(name="order-chime").origin == PromptSound.UPLOADED


@pytest.mark.parametrize(("fmt", "filename"), [("WAV", "bell.wav"), ("FLAC", "bell.flac"), ("OGG", "bell.ogg")])
def test_an_upload_is_converted_once_to_mono_pcm16_at_the_playback_rate_and_levelled(
    admin_client_: Client, fmt: str, filename: str
) -> None:
    data = encoded(fmt, rate=44100, channels=2, amplitude=0.9)

    upload(admin_client_, "bell", data, filename)

    sound = PromptSound.objects.get(name="bell")
    pcm = decode_wav(bytes(sound.wav))
    assert (sound.origin, sound.source_name) == (PromptSound.UPLOADED, filename)
    assert pcm.rate == PLAYBACK_RATE and pcm.seconds == pytest.approx(0.5, abs=0.01)
    assert loudness(pcm) == pytest.approx(TARGET_LUFS, abs=0.5)
    assert sound.sha256 == hashlib.sha256(bytes(sound.wav)).hexdigest()


def corrupt_header() -> bytes:
    good = encoded("WAV")
    return good[:12] + b"\xff" * 24 + good[36:]  # RIFF/WAVE kept, the fmt chunk destroyed


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<html><body>Not Found</body></html>", "the file is not audio: only WAV, FLAC and OGG files are taken"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64, "the file is MP3: only WAV, FLAC and OGG"),
        (encoded("FLAC", seconds=12.0, rate=8000, channels=1), "the sound is too long: 12.0 s, at most 10 s"),
        (encoded("WAV", seconds=12.0, rate=48000, channels=2), "the file is too big: 2.2 MB, at most 2 MB"),
        (corrupt_header(), "the WAV file is damaged and cannot be decoded"),
        (encoded("OGG")[:200], "the OGG file is damaged and cannot be decoded"),
        (encoded("WAV", amplitude=0.0), "the sound is silent"),
        (b"", "The submitted file is empty."),  # Django's FileField says it first
    ],
    ids=["not-audio", "mp3", "too-long", "too-big", "corrupt-header", "truncated-ogg", "silent", "empty"],
)
def test_a_bad_upload_is_refused_with_a_message_naming_the_problem(admin_client_: Client, data: bytes, says: str) -> None:
    page = upload(admin_client_, "bad-sound", data, "upload.bin")

    errors = [html.unescape(e) for e in re.findall(r'<ul class="errorlist"[^>]*>\s*<li>(.*?)</li>', page)]
    print("refused:", errors)
    assert len(errors) == 1
    assert errors[0].startswith(says if says.startswith("The submitted") else f"upload.bin: {says}")
    assert not PromptSound.objects.filter(name="bad-sound").exists()
    assert len(data) <= MAX_UPLOAD_BYTES or "too big" in says


def test_a_sound_is_served_by_its_sha256_and_rewritten_from_the_database_when_missing_or_damaged(
    client: Client, data_dir: Path
) -> None:
    sound = PromptSound.objects.get(name="order-chime")
    url = f"/sounds/{sound.sha256}.wav"

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "audio/wav"
    assert hashlib.sha256(b"".join(first.streaming_content)).hexdigest() == sound.sha256  # type: ignore[attr-defined]
    path = sounds_dir() / f"{sound.sha256}.wav"
    assert path.parent == data_dir / "sounds"
    assert path.read_bytes() == bytes(sound.wav)

    path.write_bytes(b"damaged on disk")
    assert hashlib.sha256(b"".join(client.get(url).streaming_content)).hexdigest() == sound.sha256  # type: ignore[attr-defined]
    path.unlink()
    assert client.get(url).status_code == 200 and path.exists()


@pytest.mark.parametrize("name", ["0" * 64, "not-a-hash", "../../secret_key"])
def test_an_unknown_sound_is_404(client: Client, name: str) -> None:
    assert client.get(f"/sounds/{name}.wav").status_code == 404
    assert served_file(name) is None


def store(content: str) -> list[mqtt.Announcement]:
    source = Source.objects.create(name="shop", url="http://127.0.0.1:9/api")
    store_page(source, Page(items=[Item(content=content, external_id="1")], rejects=[], cursor=None, more=False),
               Pipeline.from_db())
    message = Message.objects.get(content=content)
    rows = Delivery.objects.filter(message=message).exclude(announcement_id="")
    return [mqtt.Announcement.from_json(bytes(row.payload)) for row in rows]


def test_an_announcement_carries_its_categorys_sound_url_and_sha256(settings: SettingsWrapper) -> None:
    settings.PUBLIC_URL = "https://hub.example:8443/crier"
    sound = PromptSound.objects.get(name="order-chime")

    (said,) = store("客户张三提交了订单10023")

    assert (said.category, said.sound) == ("order", "order-chime")
    assert said.sound_url == f"https://hub.example:8443/crier/sounds/{sound.sha256}.wav"
    assert said.sound_sha256 == sound.sha256


@pytest.mark.parametrize(
    ("change", "expect_sound"),
    [(lambda c: setattr(c, "sound", ""), None), (lambda c: setattr(c, "sound", "no-such-sound"), "no-such-sound")],
    ids=["no-sound", "unknown-sound"],
)
def test_a_category_without_a_sound_the_hub_has_announces_no_url(
    change: Callable[[Category], None], expect_sound: str | None
) -> None:
    order = Category.objects.get(slug="order")
    change(order)
    order.save()

    (said,) = store("客户张三提交了订单10023")

    assert said.sound == expect_sound and said.sound_url is None and said.sound_sha256 is None


def test_a_replaced_sound_gets_a_new_url_and_the_old_one_still_serves_announcements_already_queued(
    admin_client_: Client, client: Client
) -> None:
    old = PromptSound.objects.get(name="order-chime")
    assert not (sounds_dir() / f"{old.sha256}.wav").exists()  # never asked for yet
    replace_sound(admin_client_, "order-chime", encoded("OGG", freq=990.0), "new.ogg")

    new = PromptSound.objects.get(name="order-chime")
    assert new.sha256 != old.sha256
    assert client.get(f"/sounds/{old.sha256}.wav").status_code == 200
    served = b"".join(client.get(f"/sounds/{new.sha256}.wav").streaming_content)  # type: ignore[attr-defined]
    assert np.array_equal(decode_wav(served).samples, decode_wav(bytes(new.wav)).samples)
