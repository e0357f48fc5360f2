"""Logging filter that keeps personal data out of log lines.

Code must not pass personal data to a logger in the first place. This filter
is the second line of defence, for values that slip into messages through an
exception text from a third-party library, for example.
"""

from __future__ import annotations

import logging
import re

# An 18-character resident ID (or a 15-digit legacy one) and an 11-digit
# mainland mobile number, not embedded in longer digit runs.
_RESIDENT_ID = re.compile(
    r"(?<![0-9])[0-9]{6}(?:[0-9]{8}|[0-9]{6})[0-9]{3}[0-9Xx]?(?![0-9])"
)
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _MOBILE.sub(REDACTED, _RESIDENT_ID.sub(REDACTED, text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
