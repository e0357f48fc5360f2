"""The inbox folder, the `doudi exchange` command and the cycle stage."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from doudi.core.cycle import run_cycle, stages
from doudi.exchange.models import Batch, BatchStatus, DataSource
from doudi.exchange.tests.conftest import claim, csv_bytes


@pytest.fixture
def data_dir(tmp_path):
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


def _drop(data_dir, name, data, kind="medical_claim"):
    folder = data_dir / "inbox" / "medical" / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_inbox_moves_files(source, persons, data_dir):
    _drop(data_dir, "good.csv", csv_bytes([claim(settled_on="2025-05-02")]))
    _drop(data_dir, "bad.csv", b"")
    out = StringIO()
    call_command("exchange", "inbox", stdout=out)
    good = Batch.objects.get(status=BatchStatus.STORED)
    bad = Batch.objects.get(status=BatchStatus.REJECTED)
    assert (data_dir / "inbox" / "done" / f"{good.pk}-good.csv").exists()
    assert (data_dir / "inbox" / "rejected" / f"{bad.pk}-bad.csv").exists()
    assert not list((data_dir / "inbox" / "medical" / "medical_claim").iterdir())
    assert "files 2" in out.getvalue()

    _drop(data_dir, "again.csv", csv_bytes([claim(settled_on="2025-05-02")]))
    call_command("exchange", "inbox", stdout=StringIO())
    assert Batch.objects.count() == 2
    assert (data_dir / "inbox" / "done" / f"{good.pk}-again.csv").exists()


def test_inbox_refuses_unregistered_kind(db, data_dir):
    DataSource.objects.create(
        code="medical", department="x", kinds=["vehicle"], delivery_mode="file"
    )
    _drop(data_dir, "claims.csv", csv_bytes([claim()]))
    call_command("exchange", "inbox", stdout=StringIO())
    rejected = data_dir / "inbox" / "rejected"
    assert (rejected / "medical-medical_claim-claims.csv").exists()
    assert (rejected / "medical-medical_claim-claims.csv.error.txt").exists()


def test_cycle_stage_ingests_inbox(source, persons, data_dir):
    assert (
        [s.name for s in stages()].index("exchange.inbox")
        < [s.name for s in stages()].index("policy.assess")
        if "policy.assess" in [s.name for s in stages()]
        else True
    )
    _drop(data_dir, "c.csv", csv_bytes([claim(settled_on="2025-05-02")]))
    outcome = next(iter(run_cycle(date(2026, 6, 1), only="exchange.inbox")))
    assert outcome.summary["batches"] == 1
    assert outcome.summary["rows_stored"] == 1


def test_command_source_add_and_ingest(db, tmp_path, regions):
    out = StringIO()
    call_command(
        "exchange",
        "source-add",
        "medical",
        "--department",
        "Medical insurance",
        "--kinds",
        "medical_claim,disability_certificate",
        "--mode",
        "file",
        stdout=out,
    )
    call_command("exchange", "sources", stdout=out)
    assert "medical\tfile\tmedical_claim,disability_certificate" in out.getvalue()
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([claim(None)]))
    call_command(
        "exchange",
        "ingest",
        str(path),
        "--source",
        "medical",
        "--kind",
        "medical_claim",
        stdout=out,
    )
    call_command("exchange", "batches", stdout=out)
    assert "unmatched 1" in out.getvalue()
