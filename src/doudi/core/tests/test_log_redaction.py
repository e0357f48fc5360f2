import logging

from doudi.core.logging import REDACTED, RedactPersonalData, redact


def test_resident_id_redacted():
    assert redact("lookup 310101198001010018 failed") == f"lookup {REDACTED} failed"


def test_lowercase_x_id_redacted():
    assert REDACTED in redact("id 31010119900202001x")


def test_mobile_redacted():
    assert redact("sms to 13800000000 queued") == f"sms to {REDACTED} queued"


def test_ordinary_numbers_kept():
    assert redact("batch 42 had 1000000 rows") == "batch 42 had 1000000 rows"


def test_filter_rewrites_formatted_record():
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "person %s", ("13800000000",), None
    )
    RedactPersonalData().filter(record)
    assert record.getMessage() == f"person {REDACTED}"
