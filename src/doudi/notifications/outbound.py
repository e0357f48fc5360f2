"""Send one text message to a phone number at once, outside the inbox.

The portal sends sign-in codes through `send_sms`. Nothing of the message
is stored in the database and the log records only the message id, so a
code is never logged or stored in plain form. Without an SMS provider
configured, each message is written as a JSON line to the outbox file
(DATA_DIR/outbox/sms.jsonl), which replaces the SMS gateway.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from doudi.notifications.choices import Channel
from doudi.notifications.providers import outbox
from doudi.notifications.providers.aliyun import AliyunSmsSender
from doudi.notifications.providers.base import Outcome
from doudi.notifications.rendering import templates
from doudi.notifications.senders import sms_sender

logger = logging.getLogger(__name__)


class SmsNotSent(Exception):
    """The SMS provider did not accept the message; `code` is its error code."""

    def __init__(self, message_id: str, code: str) -> None:
        super().__init__(
            f"text message {message_id} was not sent: provider code {code}"
        )
        self.message_id = message_id
        self.code = code


def outbox_path() -> Path:
    return outbox.outbox_file(Channel.SMS)


# Names that callers use for one of the templates in message_templates.yaml.
TEMPLATE_ALIASES = {"portal_sign_in_code": "sign_in_code"}


def provider_template_code(template: str) -> str:
    """Map a template name (or alias) to its Chinese provider template code.

    Any other value is taken to be a provider template code already.
    """
    known = templates().get(TEMPLATE_ALIASES.get(template, template))
    return known.texts["zh-hans"]["sms_template_code"] if known else template


def send_sms(phone: str, template: str, params: dict[str, str]) -> str:
    """Send the template with its parameters to a normalised +86 number.

    Makes one attempt. Raises SmsNotSent when the provider rejects the
    message or cannot be reached.
    """
    message_id = uuid.uuid4().hex
    sender = sms_sender()
    if isinstance(sender, AliyunSmsSender):
        code = provider_template_code(template)
        result = sender.send_template(phone, code, params, out_id=message_id)
        if result.outcome != Outcome.SENT:
            logger.warning("sms %s not sent: %s", message_id, result.code)
            raise SmsNotSent(message_id, result.code)
        logger.info("sms %s sent", message_id)
        return message_id
    line = {"id": message_id, "phone": phone, "template": template, "params": params}
    outbox.append(Channel.SMS, line)
    logger.info("sms %s written to the outbox", message_id)
    return message_id
