"""A demo e-commerce platform: an HTTP server that serves new messages as JSON.

``python -m hub.simulator --jsonl FILE`` serves a file of messages;
``--rate N`` also generates N realistic messages a second (every category,
Chinese and English). The reply has the generic adapter's shape:
``{"data": {"items": [{"seq": 1, "id": "...", "user": {...}, "content": "..."}]}}``
and pages with ``?since=SEQ&limit=N``.
"""

from typing import Any

# How a source reads the simulator: the generic adapter with this cursor. Its
# items have the generic adapter's default field names (Source.fields' default).
SOURCE_PRESET: dict[str, Any] = {
    "items_path": "data.items",
    "cursor_config": {"param": "since", "field": "seq"},
}
