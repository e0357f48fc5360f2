"""Email through Django's SMTP backend.

The Message-ID is derived from the delivery's idempotency key, so a mail
that is sent twice after a lost result can be recognised by the receiver.
An SMTP server cannot be asked whether it accepted a message earlier, so
such a send is not repeated (see the delivery engine).
"""

from __future__ import annotations

import smtplib
from datetime import datetime

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from doudi.notifications.conf import setting
from doudi.notifications.providers.base import Envelope, Outcome, SendResult

MESSAGE_ID_DOMAIN = "doudi.notifications"


def message_id(key: str) -> str:
    return f"<{key}@{MESSAGE_ID_DOMAIN}>"


class SmtpSender:
    def __init__(self, host: str) -> None:
        self.host = host

    def _connection(self) -> EmailBackend:
        return EmailBackend(
            host=self.host,
            port=setting("NOTIFY_SMTP_PORT"),
            username=setting("NOTIFY_SMTP_USER"),
            password=setting("NOTIFY_SMTP_PASSWORD"),
            use_tls=setting("NOTIFY_SMTP_STARTTLS"),
            timeout=setting("NOTIFY_TIMEOUT_SECONDS"),
            fail_silently=False,
        )

    def send(self, envelope: Envelope) -> SendResult:
        rendered = envelope.rendered
        mail = EmailMessage(
            subject=rendered.subject,
            body=rendered.body,
            from_email=setting("NOTIFY_EMAIL_FROM"),
            to=[envelope.address],
            headers={"Message-ID": message_id(envelope.key)},
            connection=self._connection(),
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as error:
            code = max(code for code, _ in error.recipients.values())
            return _by_reply_code(code)
        except smtplib.SMTPResponseException as error:
            return _by_reply_code(error.smtp_code)
        except (smtplib.SMTPException, OSError) as error:
            return SendResult(Outcome.RETRY, type(error).__name__)
        return SendResult(Outcome.SENT, "250", message_id(envelope.key))

    def lookup(self, envelope: Envelope, since: datetime) -> SendResult | None:
        return None


def _by_reply_code(code: int) -> SendResult:
    # 4xx replies are temporary by the SMTP standard (RFC 5321); 5xx are final.
    outcome = Outcome.RETRY if 400 <= code < 500 else Outcome.FAILED
    return SendResult(outcome, f"smtp_{code}")
