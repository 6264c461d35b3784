"""SQLite for a web process: writers queue in arrival order (see base.py)."""
