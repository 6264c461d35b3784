"""SQLite for every hub process: writers queue in arrival order, within and across processes (see base.py)."""
