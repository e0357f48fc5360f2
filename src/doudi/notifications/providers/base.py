"""Sender results, and the interface that the delivery engine calls."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from doudi.notifications.rendering import Rendered


class Outcome(enum.Enum):
    SENT = "sent"
    DELIVERED = "delivered"
    # Not sent, and a later attempt may succeed (throttling, busy, timeout).
    RETRY = "retry"
    # Not sent, and sending again would fail the same way.
    FAILED = "failed"
    # The provider has no record of the send (used when reconciling).
    NOT_FOUND = "not_found"
    # The provider accepted the send and has no receipt yet.
    PENDING = "pending"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    code: str
    provider_message_id: str = ""


@dataclass(frozen=True)
class Envelope:
    """One message for one address; `key` stays the same across retries."""

    address: str
    rendered: Rendered
    key: str


class Sender(Protocol):
    def send(self, envelope: Envelope) -> SendResult: ...

    def lookup(self, envelope: Envelope, since: datetime) -> SendResult | None:
        """Return the provider's record of `envelope.key`, or None if it cannot tell.

        Outcome.NOT_FOUND means the provider can tell and never got it.
        """
        ...
