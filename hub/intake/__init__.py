"""Platform intake: sources, adapters, the poller, and exactly-once storage."""
