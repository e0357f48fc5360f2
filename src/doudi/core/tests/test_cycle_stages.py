from datetime import date

import pytest
from django.core.management import call_command

from doudi.core import cycle
from doudi.core.models import StageRun, StageStatus


@pytest.fixture
def temporary_stage():
    calls = []

    def flaky(month):
        calls.append(month)
        if len(calls) == 1:
            raise RuntimeError("simulated crash")
        return {"calls": len(calls)}

    cycle.register_stage("test.flaky", order=500, description="test stage")(flaky)
    yield calls
    cycle._STAGES.pop("test.flaky")


def test_stages_run_in_order(db):
    names = [stage.name for stage in cycle.stages()]
    assert names.index("registry.check") < names.index("privacy.seal_audit")


def test_done_stage_is_skipped(db):
    month = date(2026, 11, 1)
    first = [o.status for o in cycle.run_cycle(month)]
    second = [o.status for o in cycle.run_cycle(month)]
    assert set(first) == {"done"}
    assert set(second) == {"skipped"}


def test_failed_stage_reruns(db, temporary_stage):
    month = date(2026, 11, 1)
    with pytest.raises(RuntimeError, match="simulated crash"):
        list(cycle.run_cycle(month))
    failed = StageRun.objects.get(stage="test.flaky", month=month)
    assert failed.status == StageStatus.FAILED
    outcomes = {o.stage.name: o.status for o in cycle.run_cycle(month)}
    assert outcomes["test.flaky"] == "done"
    assert outcomes["registry.check"] == "skipped"


def test_cycle_command_reports_stages(db, capsys):
    call_command("cycle", "--month", "2026-10")
    output = capsys.readouterr().out
    assert "registry.check: done" in output
    assert "privacy.seal_audit: done" in output


def test_cycle_command_rejects_bad_month(db):
    with pytest.raises(Exception, match="use YYYY-MM"):
        call_command("cycle", "--month", "2026-13")


def test_duplicate_stage_name_rejected():
    with pytest.raises(ValueError, match="registered twice"):
        cycle.register_stage("registry.check", order=1, description="x")(lambda m: {})


def test_future_month_rejected(db):
    with pytest.raises(Exception, match="is in the future"):
        call_command("cycle", "--month", "9999-12")


def test_ancient_month_rejected(db):
    with pytest.raises(Exception, match="is before 2000-01"):
        call_command("cycle", "--month", "1999-01")


def test_check_counts_as_of_month_end(users, household):
    from doudi.registry.stages import check_registry

    before = check_registry(date(2019, 12, 1))
    after = check_registry(date(2020, 1, 1))
    assert before["households"] == 0
    assert after["households"] == 1
    assert after["persons"] == 2
