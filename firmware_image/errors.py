"""The one error the image tools raise: its message is shown to the user as one line."""


class ImageError(RuntimeError):
    """A build or provisioning step that cannot go on; the message says what and why."""
