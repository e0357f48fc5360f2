"""Batches: rejected files, re-delivery, corrections and history."""

from __future__ import annotations

import pytest
from django.db import connection

from doudi.exchange import pipeline
from doudi.exchange.ingest import DeliveryError, ingest_bytes, ingest_records
from doudi.exchange.models import (
    Batch,
    BatchStatus,
    Channel,
    DataSource,
    DeliveryMode,
    ExchangeFact,
    QuarantinedRow,
    RowStatus,
)
from doudi.exchange.tests.conftest import TODAY, claim, csv_bytes
from doudi.privacy.models import AuditEntry


def _file(source, data, name="claims.csv", **extra):
    return ingest_bytes(
        data,
        file_name=name,
        source=source,
        kind="medical_claim",
        channel=Channel.INBOX,
        today=TODAY,
        **extra,
    )


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "claims.csv", "The file is empty."),
        (b"resident_id,name\n1,x\n", "claims.csv", "lacks the required columns"),
        (b"not an excel file", "claims.xlsx", "is not a Excel (.xlsx) file"),
        (b"PAR1garbage", "claims.parquet", "Parquet file cannot be read"),
        (b'{"a": 1}\n{oops\n', "claims.jsonl", "Line 2 is not valid JSON"),
        (b"a,b\n", "claims.txt", "no supported extension"),
        (
            b"resident_id,name\n\xff\xfe\xff\xfe,x\n",
            "claims.csv",
            "neither UTF-8 nor GB18030",
        ),
    ],
)
def test_unreadable_file_rejected(source, data, name, expected):
    batch = _file(source, data, name)
    assert batch.status == BatchStatus.REJECTED
    assert expected in batch.error
    assert batch.rows_total == 0


def test_header_only_rejected(source):
    data = csv_bytes([claim()]).split(b"\n")[0] + b"\n"
    batch = _file(source, data)
    assert batch.status == BatchStatus.REJECTED
    assert "no rows" in batch.error


def test_undecodable_file_says_line(source):
    data = csv_bytes([claim()]) + b"310101198001010018,\x81\x30\xff,1980-01-01\n"
    batch = _file(source, data)
    assert batch.status == BatchStatus.REJECTED
    assert "line 3" in batch.error


def test_redelivery_changes_nothing(source, persons):
    data = csv_bytes([claim()])
    first = _file(source, data)
    audits = AuditEntry.objects.count()
    again = _file(source, data, name="renamed.csv")
    assert again.pk == first.pk
    assert Batch.objects.count() == 1
    assert ExchangeFact.objects.count() == 1
    assert AuditEntry.objects.count() == audits


def test_batch_audited(source, persons):
    batch = _file(source, csv_bytes([claim()]))
    entry = AuditEntry.objects.get(object_type="exchange.batch")
    assert entry.record_count == 1
    assert entry.checksum == batch.checksum
    assert entry.detail["batch"] == batch.pk
    assert "王测试" not in str(entry.detail)


def test_correction_supersedes_keeping_history(source, persons):
    first = _file(source, csv_bytes([claim(), claim(out_of_pocket="-1")]))
    corrected = _file(
        source, csv_bytes([claim(out_of_pocket="310.00")]), supersedes=first
    )
    old = ExchangeFact.objects.get(batch=first)
    new = ExchangeFact.objects.get(batch=corrected)
    assert old.superseded_by == corrected
    assert new.superseded_by is None
    assert new.amount_fen == 31000
    assert corrected.supersedes == first
    assert QuarantinedRow.objects.get(batch=first).status == RowStatus.DISCARDED


def test_second_correction_of_same_batch_refused(source, persons):
    first = _file(source, csv_bytes([claim()]))
    _file(source, csv_bytes([claim(out_of_pocket="1")]), supersedes=first)
    with pytest.raises(DeliveryError, match="already corrected"):
        _file(source, csv_bytes([claim(out_of_pocket="2")]), supersedes=first)


def test_kind_not_registered_for_source(db):
    source = DataSource.objects.create(
        code="tax",
        department="Tax",
        kinds=["wages_tax"],
        delivery_mode=DeliveryMode.FILE,
    )
    with pytest.raises(DeliveryError, match="not registered"):
        _file(source, csv_bytes([claim()]))


def test_records_checksum_is_canonical(source, persons):
    first = ingest_records(
        [claim()],
        source=source,
        kind="medical_claim",
        channel=Channel.PUSH,
        today=TODAY,
    )
    reordered = dict(reversed(list(claim().items())))
    again = ingest_records(
        [reordered],
        source=source,
        kind="medical_claim",
        channel=Channel.PUSH,
        today=TODAY,
    )
    assert again.pk == first.pk


def test_chinese_headers_accepted(source, persons):
    names = {
        "resident_id": "公民身份号码",
        "name": "姓名",
        "birth_date": "出生日期",
        "settled_on": "结算日期",
        "total_cost": "医疗费用总额",
        "out_of_pocket": "个人自付金额",
        "region_code": "行政区划代码",
    }
    row = {names[key]: value for key, value in claim().items()}
    batch = _file(source, csv_bytes([row]))
    assert batch.rows_stored == 1


def _fact_indexes():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(
            cursor, ExchangeFact._meta.db_table
        )
    return {name for name, details in found.items() if not details["primary_key"]}


@pytest.fixture
def large_batch_path(monkeypatch):
    """Send even one-row batches through the path for very large batches."""
    monkeypatch.setattr(pipeline, "REBUILD_AT_ROWS", 1)
    monkeypatch.setattr(pipeline, "LARGE_CACHE_AT_ROWS", 1)


def test_large_batch_rebuilds_indexes(source, persons, large_batch_path):
    before = _fact_indexes()
    batch = _file(source, csv_bytes([claim(), claim("310104197505050034")]))
    assert batch.rows_stored == 2
    assert ExchangeFact.objects.filter(batch=batch).count() == 2
    assert _fact_indexes() == before


def test_large_batch_failure_keeps_indexes(
    source, persons, large_batch_path, monkeypatch
):
    before = _fact_indexes()

    def fail(batch, delivery):
        raise RuntimeError("stop before commit")

    monkeypatch.setattr(pipeline, "_audit", fail)
    with pytest.raises(RuntimeError):
        _file(source, csv_bytes([claim()]))
    assert Batch.objects.count() == 0
    assert ExchangeFact.objects.count() == 0
    assert _fact_indexes() == before
