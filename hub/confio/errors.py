"""The two ways a configuration file can be refused."""

from __future__ import annotations


class ConfigFileError(ValueError):
    """The file cannot be used as written. The message names the file, then the
    place in it (``sources[1].interval``: table, index counting from 0, key),
    then why. It never repeats a value that could be a secret."""

    def __init__(self, origin: str, where: str | None, reason: str) -> None:
        prefix = f"{origin}: {where}" if where else origin
        super().__init__(f"{prefix}: {reason}")
        self.origin = origin
        self.where = where
        self.reason = reason


class ApplyError(Exception):
    """The file is valid, but the database cannot take it as it stands (a row
    ``--prune`` would delete still holds stored messages, say). Nothing was written."""


class DumpError(Exception):
    """The database holds something a configuration file cannot say, or that
    ``load`` would refuse (an inline secret in a source's auth, say)."""
