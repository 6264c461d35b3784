"""The node agent: a small state machine between the broker, the store, TTS and the speaker.

One thread does all the work. paho's thread only puts :data:`mqtt.LinkEvent`
items on ``link.inbox``; each :meth:`Agent.step` handles one event, or, when
none is waiting, plays the next queued announcement; then it sends the outbox
and a heartbeat when due (both only while connected).

What makes "nothing lost, nothing twice" hold on the node:

- an announcement is stored under its id as soon as the loop takes it, so a
  QoS 1 redelivery or a reboot never plays it again; the link acknowledges it
  to the broker (manual PUBACK) only after that commit, so a crash before it
  leaves the broker holding the announcement for the next connection.
- a receipt is written to the store's outbox in the same transaction that
  marks the announcement finished, and leaves the outbox only when the hub
  confirms it stored it (``node/{id}/stored``), so receipts made while
  offline, or lost by a broker that crashed, arrive after the reconnect.
- on every connect the node asks the hub for what it missed
  (``node/{id}/missed``); the hub sends it again on ``node/{id}/announce``
  under the same id, and the store drops what it has taken before.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mqtt import (
    Announcement,
    Command,
    Connected,
    Disconnected,
    Heartbeat,
    Link,
    LinkEvent,
    MissedRequest,
    NodeConfig,
    NodeStatus,
    PayloadError,
    Receipt,
    Received,
    ReceiptsStored,
    Redelivery,
    Reply,
    QuietHours,
)
from mqtt.fields import format_time
from mqtt.liveness import heartbeat_period
from mqtt.messages import ReceiptStatus

from . import __version__
from .clock import Clock, utc_now
from .config import ConfigError, NodeSettings, load
from .greeting import Greeter, connected_text, refused_text
from .linkwatch import LinkWatch
from .outbox import flush_outbox
from .player import AudioError, Player, SoundDevicePlayer, make_player
from .prompts import chime, prompt
from .quiet import is_quiet
from .routing import FilterChange, announce_filters
from .sounds import SoundCache, SoundError
from .speech import Speech, SpeechError, TtsEngine, make_speech
from .store import Store
from .telemetry import MAX_ERROR_LEN, Telemetry
from .tts_playback import play_sentences

log = logging.getLogger(__name__)

POLL_S = 0.2  # longest wait for an event while there is nothing to play
FLUSH_TIMEOUT_S = 5.0  # how long one outbox flush waits for PUBACKs
FLUSH_RETRY_S = 5.0  # after a flush that timed out, wait this long before the next
STOP_FLUSH_TIMEOUT_S = 2.0
ERROR_PAUSE_S = 1.0  # after an unexpected error, so a persistent one does not spin
# While the loop says a long sentence (or plays a queue back to back) it cannot heartbeat; a
# thread repeats the last heartbeat once the next is this late, so a talking speaker is not silent.
BUSY_BEAT_LATE_S = 0.5
# ... for at most this long after the loop's own last heartbeat: a loop stuck for longer (a hung audio
# device) goes silent, and the hub calls the speaker down as it should.
BUSY_BEAT_MAX_S = 300.0
CONFIG_KEY = "node_config"  # the hub's last config, in the store's settings
AUDIO_ATTEMPTS = 3  # plays of one announcement on a failing device before it gets a failed receipt
AUDIO_BACKOFF_S = (1.0, 30.0)  # first and longest wait before trying the device again


class Agent:
    """Runs one speaker node until :meth:`request_stop` (or the ``stop`` event) is set.

    The agent owns the parts it is given: :meth:`shutdown` stops the link and
    closes the store. ``now`` is the wall clock used for expiry and receipts;
    ``monotonic`` the clock for intervals.
    """

    def __init__(
        self,
        settings: NodeSettings,
        *,
        store: Store,
        speech: TtsEngine,
        player: Player,
        link: Link | None = None,
        now: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
        config_path: Path | None = None,
        speech_factory: Callable[[NodeSettings], TtsEngine] | None = None,
        sounds: SoundCache | None = None,
    ) -> None:
        base, node_id = settings.base_topic, settings.id
        self.settings = settings
        self.store = store
        self.speech = speech
        self.player = player
        self.link = link or Link(
            settings.broker,
            node_id,
            status_topic=NodeStatus.topic(base, node_id=node_id),
            clean_start=False,
            manual_ack=True,
        )
        self.now = now
        self.monotonic = monotonic
        self._stop = stop or threading.Event()
        self.receipt_topic = Receipt.topic(base, node_id=node_id)
        self.heartbeat_topic = Heartbeat.topic(base, node_id=node_id)
        self.command_topic = Command.topic(base, node_id=node_id)
        self.reply_topic = Reply.topic(base, node_id=node_id)
        self.config_topic = NodeConfig.topic(base, node_id=node_id)
        self.redelivery_topic = Redelivery.topic(base, node_id=node_id)
        self.stored_topic = ReceiptsStored.topic(base, node_id=node_id)
        self.missed_topic = MissedRequest.topic(base, node_id=node_id)
        self.config_path = config_path
        self.speech_factory = speech_factory
        self.sounds = sounds or SoundCache(settings.data_dir / "sounds")
        # What the hub's config sets; the file's values until one arrives.
        self.announce_filters = announce_filters(settings.routes, base)
        self.quiet_hours: tuple[QuietHours, ...] = ()
        self.hub_config: NodeConfig | None = None
        self._stale_filters: set[str] = set()  # dropped while offline: the broker session still has them
        self._restore_config()
        # The configured interval, shortened for a short keepalive so the hub can call a frozen
        # speaker down within keepalive × 1.5 + 2 s (mqtt/liveness.py).
        self.heartbeat_period = heartbeat_period(settings.heartbeat_interval, settings.broker.keepalive)
        self.telemetry = Telemetry(started=monotonic(), interval_s=self.heartbeat_period, version=__version__)
        self.link_watch = LinkWatch(
            down_after=settings.link_down_after, repeat=settings.link_down_repeat, started=monotonic()
        )
        self.greeter = Greeter()
        self._audio_attempts: dict[str, int] = {}
        self._audio_retry_at: float | None = None
        self._next_heartbeat: float | None = None  # None while disconnected
        self._beat_lock = threading.Lock()  # the loop's heartbeat and the busy beat's
        self._last_beat: Heartbeat | None = None
        self._loop_beat_at = 0.0  # monotonic: when the loop itself last sent one
        self._next_flush = 0.0
        self._shut_down = False

    # -- lifecycle -------------------------------------------------------------
    def subscriptions(self) -> list[str]:
        """The topic filters the node follows: its announce topics (announce/all too), its commands, its config,
        its redeliveries and the hub's confirmations of its receipts."""
        return list(dict.fromkeys([*self.announce_filters, self.command_topic, self.config_topic,
                                   self.redelivery_topic, self.stored_topic]))

    def start(self) -> None:
        """Subscribe (QoS 1, kept across reconnects) and connect in the background."""
        filters = self.subscriptions()
        for topic_filter in filters:
            self.link.subscribe(topic_filter, qos=1)
        log.info("node %s starting (version %s): broker %s, following %s",
                 self.settings.id, __version__, self.settings.broker, ", ".join(filters))
        self.link.start()

    def run(self) -> int:
        """Start, loop until asked to stop, shut down; returns the exit status (0)."""
        self.start()
        threading.Thread(target=self._beat_while_busy, name="busy-beat", daemon=True).start()
        try:
            while not self._stop.is_set():
                try:
                    self.step()
                except Exception:
                    log.exception("unexpected error in the main loop; carrying on")
                    self._stop.wait(ERROR_PAUSE_S)
        finally:
            self.shutdown()
        return 0

    def request_stop(self) -> None:
        """Stop after the current sentence. Safe from a signal handler or another thread."""
        self._stop.set()

    def shutdown(self) -> None:
        """Send what the outbox holds (briefly), say ``offline``, disconnect, close the store. Idempotent."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.link.connected.is_set():
            try:
                flush_outbox(self.store, self.link, timeout=STOP_FLUSH_TIMEOUT_S)
            except Exception:
                log.exception("could not send the outbox while stopping; it is kept for next time")
        self.link.stop()
        self.store.close()
        log.info("node %s stopped", self.settings.id)

    # -- one turn of the loop ----------------------------------------------------
    def step(self) -> None:
        """Handle one waiting event, else play one announcement, else wait up to POLL_S for an event.

        Events go first, so an urgent announcement that arrives during a long
        queue is stored (and ranked) before the next one starts.
        """
        event = self._take_event(wait=0)
        if event is not None:
            self.handle(event)
        elif not self.play_next():
            event = self._take_event(wait=POLL_S)
            if event is not None:
                self.handle(event)
        self._say_link_state_if_due()
        self._greet_if_due()
        self._flush_if_due()
        self._heartbeat_if_due()

    def _take_event(self, wait: float) -> LinkEvent | None:
        try:
            return self.link.inbox.get(timeout=wait) if wait > 0 else self.link.inbox.get_nowait()
        except queue.Empty:
            return None

    def handle(self, event: LinkEvent) -> None:
        match event:
            case Connected():
                for topic_filter in sorted(self._stale_filters):
                    self.link.unsubscribe(topic_filter)
                self._stale_filters.clear()
                self.telemetry.link_up(self.monotonic())
                self.link_watch.up(self.monotonic())
                if self.settings.greet:
                    self.greeter.connected(self.monotonic())
                self._next_heartbeat = self.monotonic()  # one right away
                self._next_flush = 0.0
                # The broker may have lost what it acknowledged: every unconfirmed receipt goes again,
                # and the hub is asked for whatever did not reach us.
                self.store.outbox_unsend()
                self.link.publish(self.missed_topic, MissedRequest(at=self.now()).to_json(), qos=1)
            case Disconnected(reason=reason):
                log.warning("broker link down (%s); playing on, receipts wait in the outbox", reason)
                self.telemetry.link_lost(self.monotonic())
                self.link_watch.down(self.monotonic())
                self._next_heartbeat = None
            case Received(topic=topic, payload=payload, retain=retain):
                base = self.settings.base_topic
                if Announcement.parse_topic(topic, base) is not None:
                    self.on_announcement(topic, payload)
                elif topic == self.redelivery_topic:
                    self.on_announcement(topic, payload, redelivered=True)
                elif topic == self.stored_topic:
                    self.on_stored(payload)
                elif topic == self.command_topic and retain:
                    # A retained command would run again on every reconnect ("ghost switching").
                    log.warning("ignored a retained command on %s: commands are never retained", topic)
                elif topic == self.command_topic:
                    self.on_command(payload)
                elif topic == self.config_topic:
                    self.on_config(payload)
                else:
                    log.debug("ignoring a message on %s", topic)
                # Handled (stored, or judged invalid): only now may the broker forget it.
                # An exception above skips this, and the broker re-sends after a reconnect.
                self.link.ack(event)

    # -- announcements -------------------------------------------------------------
    def on_announcement(self, topic: str, payload: bytes, *, redelivered: bool = False) -> None:
        """Validate and queue; an invalid payload is logged and dropped, a seen id dropped quietly.

        ``redelivered``: it came on the node's own topic, sent by the hub to this node alone.
        """
        try:
            announcement = Announcement.from_json(payload)
        except PayloadError as exc:
            log.warning("dropped an invalid announcement on %s: %s", topic, exc)
            return
        if not redelivered and topic not in self.announce_filters:
            # A subscription the hub's config has since dropped, still in the broker's session.
            log.info("dropped announcement %s on %s: no longer followed", announcement.id, topic)
            return
        if self.store.accept(announcement):
            log.info("queued announcement %s (%s, %s priority)",
                     announcement.id, announcement.category, announcement.priority)
        else:
            log.debug("announcement %s was seen before; dropped", announcement.id)

    def play_next(self) -> bool:
        """Play (or expire) the next queued announcement; False when there is none to play now.

        During quiet hours only urgent ones play; the rest wait (expiring as
        usual). After an audio device failure nothing plays until the backoff
        has passed.
        """
        if self._audio_retry_at is not None and self.monotonic() < self._audio_retry_at:
            return False
        quiet = is_quiet(self.quiet_hours, self.now())
        if quiet and self._expire_waiting():
            return True
        announcement = self.store.next_queued(urgent_only=quiet)
        if announcement is None:
            return False
        if announcement.is_expired(self.now()):
            assert announcement.expires_at is not None
            log.info("announcement %s expired at %s; not playing it", announcement.id, announcement.expires_at)
            self._finish(announcement.id, "expired", f"expired at {format_time(announcement.expires_at)}")
            return True
        self.store.mark(announcement.id, "playing")
        log.info("playing announcement %s (%s)", announcement.id, announcement.category)
        try:
            note = self.play_prompt_sound(announcement)
            finished = self.speak(announcement.text, announcement.lang)
        except Exception as exc:
            finished = False
            if not self._stop.is_set():  # a stop may kill espeak-ng too (systemd signals the whole group)
                if isinstance(exc, AudioError) and self._retry_later(announcement.id, exc):
                    return True
                self._fail(announcement.id, exc)
                return True
        if not finished:
            # Stopped part way: half heard counts as unheard, so it plays in full next time.
            self.store.mark(announcement.id, "queued")
            log.info("stopped while playing %s; it stays queued", announcement.id)
            return True
        self._audio_attempts.pop(announcement.id, None)
        self._audio_retry_at = None
        with self.store.transaction():
            self._finish(announcement.id, "played", note)
            self.store.remember_played(announcement)
        self.telemetry.played(announcement.id, self.now())
        return True

    def _expire_waiting(self) -> bool:
        """Give an expired receipt to every waiting announcement past its expiry; True if there was one."""
        now = self.now()
        expired = [a for a in self.store.queued() if a.is_expired(now)]
        for announcement in expired:
            assert announcement.expires_at is not None
            log.info("announcement %s expired at %s while waiting out quiet hours",
                     announcement.id, announcement.expires_at)
            self._finish(announcement.id, "expired", f"expired at {format_time(announcement.expires_at)}")
        return bool(expired)

    def _retry_later(self, announcement_id: str, exc: AudioError) -> bool:
        """Keep it queued and wait before trying the device again; False once the attempts are used up."""
        attempts = self._audio_attempts.get(announcement_id, 0) + 1
        self.telemetry.audio_failed(str(exc))
        if attempts >= AUDIO_ATTEMPTS:
            self._audio_attempts.pop(announcement_id, None)
            self._audio_retry_at = None
            return False
        self._audio_attempts[announcement_id] = attempts
        first, longest = AUDIO_BACKOFF_S
        wait = min(longest, first * 2 ** (attempts - 1))
        self._audio_retry_at = self.monotonic() + wait
        self.store.mark(announcement_id, "queued")
        log.warning("audio device failed on %s (attempt %s of %s): %s; trying again in %.0f s",
                    announcement_id, attempts, AUDIO_ATTEMPTS, exc, wait)
        return True

    def _say_link_state_if_due(self) -> None:
        """Say that the broker is unreachable (again, while it stays so), or that it is back."""
        if self.link_watch.is_down and self.link.connected.is_set():
            return  # connected while a long sentence played: the Connected event is next, nothing to say
        due = self.link_watch.due(self.monotonic())
        if due is None:
            return
        text, lang = prompt(due, self.prompt_language)
        refused = getattr(self.link, "refused", None)
        if due == "link_lost" and refused:
            text, lang = refused_text(refused, self.prompt_language)
        log.warning("saying %r: the broker link is %s", text, "down" if due == "link_lost" else "back")
        try:
            self.speak(text, lang)
        except (AudioError, SpeechError) as exc:
            if isinstance(exc, AudioError):
                self.telemetry.audio_failed(str(exc))
            log.error("could not say %r: %s", text, exc)

    def _greet_if_due(self) -> None:
        """Once per run, shortly after connecting: say so, and which departments this speaker serves,
        in the language of its other prompts (the hub's, once its config says one)."""
        if not self.greeter.due(self.monotonic()):
            return
        config = self.hub_config
        routes = config.routes if config is not None else self.settings.routes
        names = config.department_names if config is not None else None
        # Through speak(), like an announcement: normalised, then the language's voice (Han names as Mandarin).
        text, lang = connected_text(routes, self.prompt_language, names)
        log.info("saying %r", text)
        try:
            self.speak(text, lang)
        except (AudioError, SpeechError) as exc:
            log.error("could not say %r: %s", text, exc)

    def play_prompt_sound(self, announcement: Announcement) -> str | None:
        """Play the category's prompt sound, if it has one; a refused sound is a note for the receipt.

        Raises AudioError like speech does: the device, not the sound, failed.
        """
        if announcement.sound_url is None:
            return None
        if announcement.sound_sha256 is None:
            note = f"prompt sound refused: {announcement.sound_url} comes without a sha256 to check it by"
        else:
            try:
                self.player.play(self.sounds.get(announcement.sound_url, announcement.sound_sha256))
                return None
            except SoundError as exc:
                note = f"prompt sound refused: {exc}"
        log.warning("announcement %s: %s; speaking it without", announcement.id, note)
        return note

    @property
    def prompt_language(self) -> str:
        """The language of the node's own prompts: the hub's, once its config says one; else the file's."""
        if self.hub_config is not None and self.hub_config.language:
            return self.hub_config.language
        return self.settings.language

    def _fail(self, announcement_id: str, exc: Exception) -> None:
        """A failed receipt; the audio device's errors also go into the heartbeat."""
        if isinstance(exc, AudioError):
            self.telemetry.audio_failed(str(exc))
        if isinstance(exc, (AudioError, SpeechError)):
            log.error("announcement %s failed: %s", announcement_id, exc)
            detail = str(exc)
        else:  # a TTS or player bug: report it rather than leave the announcement `playing`
            log.exception("announcement %s failed unexpectedly", announcement_id)
            detail = f"internal error: {exc!r}"
        self._finish(announcement_id, "failed", detail)

    def speak(self, text: str, lang: str) -> bool:
        """Synthesise and play sentence by sentence, the next synthesised while one plays, with no gap
        between them; False when a stop cut it short."""
        return play_sentences(self.player, self.speech.synthesize(text, lang), lambda: not self._stop.is_set())

    def _finish(self, announcement_id: str, status: ReceiptStatus, detail: str | None = None) -> None:
        """Mark it finished and put its receipt in the outbox, in one transaction."""
        receipt = Receipt(
            id=announcement_id, status=status, at=self.now(), detail=detail[:MAX_ERROR_LEN] if detail else None
        )
        with self.store.transaction():
            self.store.mark(announcement_id, status)
            self.store.outbox_put(self.receipt_topic, receipt.to_json(), qos=1, ref=receipt_ref(announcement_id, status))
        self._next_flush = 0.0

    def on_stored(self, payload: bytes) -> None:
        """The hub stored these receipts: they leave the outbox."""
        try:
            stored = ReceiptsStored.from_json(payload)
        except PayloadError as exc:
            log.warning("dropped an invalid receipt confirmation: %s", exc)
            return
        gone = self.store.outbox_confirm([receipt_ref(key.id, key.status) for key in stored.receipts])
        log.debug("the hub confirmed %d receipt(s); %d left the outbox", len(stored.receipts), gone)

    # -- the hub's config ------------------------------------------------------------
    def _restore_config(self) -> None:
        """Apply the hub's last config from the store, so a reboot without the broker still uses it."""
        stored = self.store.get_setting(CONFIG_KEY)
        if stored is None:
            return
        try:
            config = NodeConfig.from_json(stored)
        except PayloadError as exc:
            log.error("the stored hub config is unreadable, using the file's until a new one arrives: %s", exc)
            return
        file_filters = self.announce_filters
        self.apply_config(config)
        # The session may still hold the file's routes from a boot before this config came.
        self._stale_filters |= set(file_filters) - set(self.announce_filters)

    def on_config(self, payload: bytes) -> None:
        """Validate, keep it in the store, and apply it live; an invalid one is logged and dropped."""
        try:
            config = NodeConfig.from_json(payload)
        except PayloadError as exc:
            log.warning("dropped an invalid node config: %s", exc)
            return
        if config == self.hub_config:
            log.debug("node config unchanged")
            return
        self.store.put_setting(CONFIG_KEY, config.to_json().decode())
        self.apply_config(config)

    def apply_config(self, config: NodeConfig) -> None:
        """Follow the config's routes (re-subscribing without a restart), volume, quiet hours and voices."""
        self.hub_config = config
        self._follow(announce_filters(config.routes, self.settings.base_topic))
        self.player.volume = config.volume
        self.quiet_hours = config.quiet_hours
        if isinstance(self.speech, Speech):
            for problem in self.speech.choose(config.voices):
                log.error("node config: %s; that language keeps its default voice", problem)
        log.info("applied the hub's config: following %s, volume %s, %s quiet window(s)",
                 ", ".join(self.announce_filters), config.volume, len(config.quiet_hours))

    def _follow(self, filters: list[str]) -> None:
        change = FilterChange.between(self.announce_filters, filters)
        self.announce_filters = filters
        if not change:
            return
        connected = self.link.connected.is_set()
        for topic_filter in change.dropped:
            self.link.unsubscribe(topic_filter)
            if not connected:
                self._stale_filters.add(topic_filter)
        for topic_filter in change.added:
            self._stale_filters.discard(topic_filter)
            self.link.subscribe(topic_filter, qos=1)

    # -- commands --------------------------------------------------------------------
    def on_command(self, payload: bytes) -> None:
        """Run a command and answer it with a :class:`Reply` echoing its id."""
        try:
            command = Command.from_json(payload)
        except PayloadError as exc:
            log.warning("dropped an invalid command: %s", exc)
            return
        log.info("command %s (%s)", command.cmd, command.id)
        try:
            ok, detail = self.run_command(command)
        except (AudioError, SpeechError) as exc:
            if isinstance(exc, AudioError):
                self.telemetry.audio_failed(str(exc))
            ok, detail = False, str(exc)
        reply = Reply(id=command.id, ok=ok, detail=detail[:MAX_ERROR_LEN] if detail else None)
        self.link.publish(self.reply_topic, reply.to_json(), qos=1)

    def run_command(self, command: Command) -> tuple[bool, str | None]:
        """(ok, detail); raises AudioError/SpeechError when the speaker cannot say it."""
        match command.cmd:
            case "say":
                return self._spoken(self.speak(command.args["text"], command.args["lang"]))
            case "volume":
                self.player.volume = command.args["level"]
                return True, f"volume {self.player.volume}"
            case "replay":
                return self._replay(command.args["count"])
            case "identify":
                self.player.play(chime())
                text, lang = prompt("identify", self.prompt_language, node_id=self.settings.id)
                return self._spoken(self.speak(text, lang))
            case "reload":
                return self._reload()
        return False, f"unknown command {command.cmd!r}"

    @staticmethod
    def _spoken(finished: bool) -> tuple[bool, str | None]:
        return (True, None) if finished else (False, "interrupted by shutdown")

    def _replay(self, count: int) -> tuple[bool, str | None]:
        """Say the last ``count`` played announcements again, oldest first; no receipts (they were given)."""
        played = self.store.recent_played(count)
        for item in played:
            if not self.speak(item.text, item.lang):
                return False, "interrupted by shutdown"
        return True, f"replayed {len(played)}" if played else "nothing played yet"

    def _reload(self) -> tuple[bool, str | None]:
        """Re-read the file's audio and voice settings; identity, broker and data_dir stay as they are."""
        if self.config_path is None:
            return False, "no config file to reload"
        try:
            fresh = load(self.config_path)
        except ConfigError as exc:
            return False, str(exc)
        old = self.settings
        new = replace(fresh, id=old.id, broker=old.broker, base_topic=old.base_topic, data_dir=old.data_dir,
                      routes=old.routes)
        changed = [name for name in ("volume", "heartbeat_interval", "audio_device", "voices_dir", "cache_mb",
                                     "language", "link_down_after", "link_down_repeat")
                   if getattr(old, name) != getattr(new, name)]
        self.settings = new
        self.heartbeat_period = heartbeat_period(new.heartbeat_interval, new.broker.keepalive)
        self.telemetry.interval_s = self.heartbeat_period
        self.link_watch.down_after, self.link_watch.repeat = new.link_down_after, new.link_down_repeat
        if isinstance(self.player, SoundDevicePlayer):
            self.player.device = new.audio_device
        if self.hub_config is None:  # the hub's volume, once it has sent one, outranks the file's
            self.player.volume = new.volume
        if ("voices_dir" in changed or "cache_mb" in changed) and self.speech_factory is not None:
            self.speech = self.speech_factory(new)
            if self.hub_config is not None and isinstance(self.speech, Speech):
                self.speech.choose(self.hub_config.voices)
        log.info("reloaded %s: %s", self.config_path, ", ".join(changed) or "nothing changed")
        return True, "changed: " + ", ".join(changed) if changed else "nothing changed"

    # -- outbox and heartbeat --------------------------------------------------------
    def _flush_if_due(self) -> None:
        """Send the outbox while connected, but only once the loop has handled the link's waiting events.

        A ``Connected`` still in the inbox is a connection the loop has not caught up with yet: handling
        it marks every receipt unsent and sends them all. Sending before that sent each receipt twice,
        a few milliseconds apart: a speaker booting after a power cut replays the cut announcement
        before it handles its first ``Connected`` (the VM test saw exactly this).
        """
        if not self.link.connected.is_set() or self.monotonic() < self._next_flush:
            return
        if not self.link.inbox.empty():
            return  # events first (as in step): the next turns handle them, then this sends
        if not flush_outbox(self.store, self.link, timeout=FLUSH_TIMEOUT_S, now=self.now()):
            self._next_flush = self.monotonic() + FLUSH_RETRY_S

    def _heartbeat_if_due(self) -> None:
        mono = self.monotonic()
        with self._beat_lock:
            if self._next_heartbeat is None or mono < self._next_heartbeat or not self.link.connected.is_set():
                return
            self._next_heartbeat = mono + self.heartbeat_period
        heartbeat = self.telemetry.heartbeat(
            mono=mono,
            at=self.now(),
            queue_depth=self.store.queue_depth(),
            volume=self.player.volume,
            free_disk_mb=_free_disk_mb(self.settings.data_dir),
        )
        if isinstance(self.speech, Speech):
            heartbeat = replace(heartbeat, voices=self.speech.describe())
        with self._beat_lock:
            self._last_beat, self._loop_beat_at = heartbeat, mono
        self.link.publish(self.heartbeat_topic, heartbeat.to_json(), qos=0)

    def _beat_while_busy(self) -> None:
        """Repeat the last heartbeat (its uptime and time brought up to date) whenever the next
        is :data:`BUSY_BEAT_LATE_S` late: the loop is saying a long sentence. Its own thread.
        Not past :data:`BUSY_BEAT_MAX_S` after the loop's own last heartbeat (a stuck loop)."""
        while not self._stop.wait(BUSY_BEAT_LATE_S / 2):
            try:
                self._beat_if_late()
            except Exception:
                log.exception("busy beat failed; carrying on")

    def _beat_if_late(self) -> bool:
        with self._beat_lock:
            mono, due, last = self.monotonic(), self._next_heartbeat, self._last_beat
            if due is None or last is None or mono < due + BUSY_BEAT_LATE_S or not self.link.connected.is_set():
                return False
            if mono - self._loop_beat_at > BUSY_BEAT_MAX_S:
                return False  # not busy but stuck: let the hub hear the silence
            self._next_heartbeat = mono + self.heartbeat_period
            beat = replace(last, uptime_s=max(0.0, mono - self.telemetry.started), at=self.now(),
                           interval_s=self.heartbeat_period)
        self.link.publish(self.heartbeat_topic, beat.to_json(), qos=0)
        return True


def receipt_ref(announcement_id: str, status: str) -> str:
    """How the outbox names a receipt, to find it when the hub confirms it."""
    return f"{status} {announcement_id}"


def _free_disk_mb(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free // (1024 * 1024)
    except OSError:
        return 0


def build_agent(
    settings: NodeSettings,
    *,
    stop: threading.Event | None = None,
    now: Clock = utc_now,
    config_path: Path | None = None,
) -> Agent:
    """An agent with the real parts: the store in ``data_dir``, :func:`make_speech`, :func:`make_player`.

    ``config_path``: the file ``settings`` came from, re-read by the ``reload`` command.
    """
    store = Store.open(settings.data_dir, now=now)
    try:
        speech = make_speech(settings)
        player = make_player(settings)
    except BaseException:
        store.close()
        raise
    return Agent(settings, store=store, speech=speech, player=player, now=now, stop=stop,
                 config_path=config_path, speech_factory=make_speech)

