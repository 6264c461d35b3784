"""Configuration as code: ``shopcrier-hub load FILE.toml`` and ``shopcrier-hub dump``.

- :mod:`.parse` reads a file strictly into the typed :mod:`.schema` (no database needed);
- :mod:`.load` applies it in one transaction, saving only what differs;
- :mod:`.dump` writes the database back in the same shape (:mod:`.toml_writer`).

The file's shape is in DESIGN.md and docs/config.md ("Configuration file").
"""

from .errors import ApplyError, ConfigFileError, DumpError

__all__ = ["ApplyError", "ConfigFileError", "DumpError"]
