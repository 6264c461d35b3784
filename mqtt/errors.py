"""The one error a receiver of the MQTT contract has to handle."""


class PayloadError(ValueError):
    """A payload or topic that breaks the contract.

    ``field`` names what is wrong (``"announcement.priority"``), so a receiver can
    log one clear line and drop the message.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
