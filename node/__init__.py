"""The ShopCrier speaker node: hears announcements over MQTT and says them aloud.

The parts, each replaceable in tests through a factory: :mod:`node.config`
(the TOML file), :mod:`node.store` (the SQLite store that makes "never twice"
hold across reboots, and the receipt outbox), :mod:`node.speech` (TTS),
:mod:`node.player` (playback) and :mod:`node.agent` (the state machine that
ties them to the :class:`mqtt.Link`).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shopcrier")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
