"""Send one text message to a phone number.

The embedded default writes each message as a JSON line to the outbox file
(DATA_DIR/outbox/sms.jsonl), which stands in for the SMS gateway; the log
records only the message id.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def outbox_path() -> Path:
    return Path(settings.DATA_DIR) / "outbox" / "sms.jsonl"


def send_sms(phone: str, template: str, params: dict[str, str]) -> str:
    """Send the template with its parameters to a normalised +86 number."""
    message_id = uuid.uuid4().hex
    path = outbox_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {"id": message_id, "phone": phone, "template": template, "params": params}
    with path.open("a", encoding="utf-8") as outbox:
        outbox.write(json.dumps(line, ensure_ascii=False) + "\n")
    logger.info("sms %s written to the outbox", message_id)
    return message_id
