"""A run over the database: pairs, reruns, the audit entry, no plaintext on disk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from doudi.conftest import ALICE_ID, CAROL_ID
from doudi.monitoring.duplicates.detection import RUN_PURPOSE, run_detection
from doudi.monitoring.duplicates.models import DuplicatePair, PairStatus, RunStatus
from doudi.monitoring.duplicates.tests.factories import (
    ALICE_ELSEWHERE,
    award_both,
    import_rows,
    move_carol,
)
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(users, household, far_household):
    carol = move_carol(users, household, far_household)
    first, second = award_both(users, household, far_household)
    return carol, first, second


def test_person_under_two_exclusive_awards_is_paired(moved):
    carol, first, second = moved
    run = run_detection()
    pair = DuplicatePair.objects.get()
    assert run.status == RunStatus.DONE
    assert (pair.left_person_id, pair.right_person_id) == (carol.pk, carol.pk)
    assert {pair.left_award_id, pair.right_award_id} == {first.pk, second.pk}
    assert pair.award_to_stop_id == second.pk
    assert pair.status == PairStatus.PENDING
    assert pair.left_region_path != pair.right_region_path


def test_temporary_on_top_of_dibao_is_not_paired(users, household):
    from doudi.assessments.models import Scheme
    from doudi.payments.tests.factories import make_award

    make_award(household, users["district"])
    make_award(household, users["district"], scheme=Scheme.TEMPORARY)
    assert run_detection().candidates == 0
    assert not DuplicatePair.objects.exists()


def test_imported_row_with_wrong_check_digit_is_paired(users, household):
    from doudi.payments.tests.factories import make_award

    award = make_award(household, users["district"])
    imported = import_rows(users["city"], ALICE_ELSEWHERE)
    run_detection()
    pair = DuplicatePair.objects.get()
    assert pair.imported_row == imported.rows.get()
    assert pair.award_to_stop_id == award.pk
    levels = {r["comparison"]: r["level"] for r in pair.reasons}
    assert levels["resident_id"] == "same ID, wrong check character"


def test_rerun_adds_nothing_and_keeps_reviews(moved, users):
    first_run = run_detection()
    DuplicatePair.objects.update(status=PairStatus.REJECTED)
    second_run = run_detection()
    pair = DuplicatePair.objects.get()
    assert second_run.new_pairs == 0
    assert second_run.candidates == 1
    assert pair.status == PairStatus.REJECTED
    assert pair.first_run == first_run
    assert pair.last_run == second_run


def test_one_audit_entry_per_run(moved):
    before = AuditEntry.objects.filter(object_type="duplicates.run").count()
    run = run_detection()
    entries = AuditEntry.objects.filter(object_type="duplicates.run")
    assert entries.count() == before + 1
    entry = entries.get(object_id=str(run.pk))
    assert entry.action == AuditAction.BATCH
    assert entry.purpose == Purpose.MONITORING
    assert entry.detail["purpose"] == RUN_PURPOSE
    assert entry.record_count == run.records
    assert entry.actor is None


def test_no_plaintext_on_disk_after_run(moved, users, tmp_path, monkeypatch):
    # The run gets a fresh temporary directory and working directory (where
    # DuckDB would put its default ".tmp" spill folder), so every file found
    # there afterwards was written by the run.
    temporary, working = tmp_path / "tmp", tmp_path / "cwd"
    temporary.mkdir()
    working.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.chdir(working)
    import_rows(users["city"], ALICE_ELSEWHERE)
    run_detection()
    secrets = [
        ALICE_ID.encode(),
        CAROL_ID.encode(),
        "王小测".encode(),
        "远方路9号".encode(),
    ]
    written = [
        p for folder in (temporary, working) for p in folder.rglob("*") if p.is_file()
    ]
    assert [path for path in written if _contains(path, secrets)] == []
    assert written == []


def _contains(path: Path, secrets: list[bytes]) -> bool:
    data = path.read_bytes()
    return any(secret in data for secret in secrets)


def test_cycle_stage_runs_check(moved):
    from datetime import date

    from doudi.core.cycle import run_cycle

    (outcome,) = run_cycle(date(2025, 8, 1), only="duplicates.check")
    assert outcome.status == "done"
    assert outcome.summary["candidate_pairs"] == 1
    assert outcome.stage.order == 360


def test_weekly_task_returns_run(moved):
    from doudi.monitoring.duplicates.models import LinkageRun
    from doudi.monitoring.duplicates.tasks import weekly_duplicate_check

    run_id = weekly_duplicate_check()
    assert run_id is not None
    assert LinkageRun.objects.get(pk=run_id).status == RunStatus.DONE
