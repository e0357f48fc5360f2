"""The embedded default: each channel's messages as JSON lines in a file.

The file replaces the provider. It contains the address and the text,
as the provider would, so it lives under DATA_DIR, outside the web root.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from doudi.notifications.providers.base import Envelope, Outcome, SendResult


def outbox_file(channel: str) -> Path:
    return Path(settings.DATA_DIR) / "outbox" / f"{channel}.jsonl"


def append(channel: str, line: dict[str, Any]) -> None:
    path = outbox_file(channel)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as outbox:
        outbox.write(json.dumps(line, ensure_ascii=False) + "\n")


def read(channel: str) -> list[dict[str, Any]]:
    path = outbox_file(channel)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class OutboxSender:
    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, envelope: Envelope) -> SendResult:
        message_id = uuid.uuid4().hex
        rendered = envelope.rendered
        append(
            self.channel,
            {
                "id": message_id,
                "key": envelope.key,
                "to": envelope.address,
                "template": rendered.template.name,
                "language": rendered.language,
                "subject": rendered.subject,
                "body": rendered.body,
                "params": rendered.params,
            },
        )
        return SendResult(Outcome.SENT, "OK", message_id)

    def lookup(self, envelope: Envelope, since: datetime) -> SendResult | None:
        for line in read(self.channel):
            if line.get("key") == envelope.key:
                return SendResult(Outcome.SENT, "OK", line["id"])
        return SendResult(Outcome.NOT_FOUND, "")
