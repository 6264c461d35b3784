"""One package per channel kind; each has ``transport.py`` with ``make(target) -> Transport``."""
