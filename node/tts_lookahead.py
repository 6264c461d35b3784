"""Bounded look-ahead synthesis: the next sentence is synthesised while the current one plays.

:class:`Lookahead` runs a TTS chunk iterator in one worker thread, at most
``depth`` chunks ahead of the consumer (plus the one the worker is making),
so a long announcement never piles up audio in memory. The worker is the
only thread that touches the iterator (and so the voice and the TTS cache)
until :meth:`Lookahead.close` has joined it: the agent still uses speech from
one thread at a time.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

from .pcm import Pcm

log = logging.getLogger(__name__)

DEPTH = 1  # chunks waiting ready beyond the one playing: enough to hide synthesis behind playback
_PUT_POLL_S = 0.05


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _End:
    pass


_END = _End()


class Lookahead:
    """``chunks``, produced by a worker thread up to ``depth`` ahead; use as a context manager.

    :meth:`get` returns the next chunk, None when none came within
    ``timeout`` seconds, and raises :class:`StopIteration` at the end, or the
    exception the iterator raised (a :class:`~node.tts.SpeechError`, ...) at
    the point in the sequence where it happened.
    """

    def __init__(self, chunks: Iterator[Pcm], depth: int = DEPTH) -> None:
        if depth < 1:
            raise ValueError(f"look-ahead depth must be at least 1, not {depth}")
        self._chunks = chunks
        self._ready: queue.Queue[Pcm | _Failed | _End] = queue.Queue(maxsize=depth)
        self._closed = threading.Event()
        self._done = False
        self._worker = threading.Thread(target=self._produce, name="tts-lookahead", daemon=True)
        self._worker.start()

    def __enter__(self) -> Lookahead:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __iter__(self) -> Iterator[Pcm]:
        while True:
            try:
                chunk = self.get(None)
            except StopIteration:
                return
            assert chunk is not None  # no timeout: get waits for one
            yield chunk

    def get(self, timeout: float | None) -> Pcm | None:
        """The next chunk; None after ``timeout`` seconds without one (None: wait as long as it takes)."""
        if self._done:
            raise StopIteration
        try:
            item = self._ready.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, _End):
            self._done = True
            raise StopIteration
        if isinstance(item, _Failed):
            self._done = True
            raise item.error
        return item

    def close(self) -> None:
        """Stop the worker after the chunk it is making (if any) and wait for it. Idempotent."""
        self._closed.set()
        while self._worker.is_alive():
            try:  # make room, so a worker blocked on a full queue sees the close
                self._ready.get_nowait()
            except queue.Empty:
                pass
            self._worker.join(_PUT_POLL_S)

    def _produce(self) -> None:
        try:
            for chunk in self._chunks:
                if not self._put(chunk):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failed(exc))
        finally:
            close = getattr(self._chunks, "close", None)
            if callable(close):
                close()  # a generator's finally blocks run here, in the thread that ran it

    def _put(self, item: Pcm | _Failed | _End) -> bool:
        while not self._closed.is_set():
            try:
                self._ready.put(item, timeout=_PUT_POLL_S)
                return True
            except queue.Full:
                continue
        return False
