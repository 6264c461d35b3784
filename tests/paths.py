"""Where test data lives (no imports that need Django)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The labelled samples from ../shared; a clone without it uses the copy the simulator ships.
SAMPLES = REPO.parent / "shared" / "samples" / "platform_events.jsonl"
if not SAMPLES.exists():
    SAMPLES = REPO / "hub" / "simulator" / "samples.jsonl"
