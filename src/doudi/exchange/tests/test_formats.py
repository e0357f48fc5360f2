"""Every file format ends in the same stored facts."""

from __future__ import annotations

import pytest

from doudi.exchange.ingest import ingest_bytes
from doudi.exchange.models import BatchStatus, Channel, ExchangeFact
from doudi.exchange.tests.conftest import TODAY, claim, csv_bytes, file_bytes


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "jsonl", "parquet"])
def test_format_stores_claim(source, persons, file_format):
    data = file_bytes([claim(), claim(CAROL := None, name="王小测")], file_format)
    batch = ingest_bytes(
        data,
        file_name=f"claims.{file_format}",
        source=source,
        kind="medical_claim",
        channel=Channel.INBOX,
        today=TODAY,
    )
    assert batch.status == BatchStatus.STORED, batch.error
    assert batch.rows_total == 2
    assert batch.rows_stored == 1
    assert batch.rows_unmatched == 1
    fact = ExchangeFact.objects.get(batch=batch)
    assert fact.person == persons["alice"]
    assert fact.category == "spending"
    assert fact.item == "medical_out_of_pocket"
    assert fact.amount_fen == 30025
    assert fact.valid_from.isoformat() == "2026-05-02"
    assert CAROL is None


def test_gb18030_csv(source, persons):
    batch = ingest_bytes(
        csv_bytes([claim()], "gb18030"),
        file_name="claims.csv",
        source=source,
        kind="medical_claim",
        channel=Channel.INBOX,
        today=TODAY,
    )
    assert batch.encoding == "gb18030"
    assert batch.rows_stored == 1


def test_utf8_bom_csv(source, persons):
    batch = ingest_bytes(
        b"\xef\xbb\xbf" + csv_bytes([claim()]),
        file_name="claims.csv",
        source=source,
        kind="medical_claim",
        channel=Channel.INBOX,
        today=TODAY,
    )
    assert batch.encoding == "utf-8-sig"
    assert batch.rows_stored == 1
