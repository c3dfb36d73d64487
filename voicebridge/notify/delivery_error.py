"""What a failed delivery attempt reports: a short reason for the delivery log, and whether trying again can help."""

from __future__ import annotations


class DeliveryError(Exception):
    """One attempt failed. `permanent`: the receiver refused it for good (a 4xx webhook answer, a 5xx SMTP reply)."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
