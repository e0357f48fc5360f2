"""Loading, reloading and replacing a year's official schedule."""

from __future__ import annotations

from datetime import date

import pytest

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry
from doudi.workdays import calendar, services
from doudi.workdays.models import DayKind, LoadOutcome, OfficialSchedule, SpecialDay
from doudi.workdays.schedule_file import ScheduleFileInvalid
from doudi.workdays.tests.conftest import csv_file

SOURCE = "Example notice on the 2027 holidays (synthetic)"


def _load(users, data: bytes, year: int = 2027, source: str = SOURCE):
    return services.load_schedule(year, data, source=source, actor=users["city"])


def _schedule_entries():
    return AuditEntry.objects.filter(object_type=services.OBJECT_TYPE)


def test_first_load_stores_days(users, example_2027):
    result = _load(users, example_2027)

    assert result.outcome == LoadOutcome.CREATED
    schedule = OfficialSchedule.objects.get(year=2027)
    assert schedule.source == SOURCE
    assert schedule.loaded_by == users["city"]
    assert schedule.revision == 1
    assert schedule.days.count() == 33
    spring = SpecialDay.objects.get(day=date(2027, 2, 20))
    assert spring.kind == DayKind.WORKING_DAY
    assert spring.name == "春节"


def test_first_load_audited(users, example_2027):
    _load(users, example_2027)

    [entry] = _schedule_entries()
    assert entry.action == AuditAction.CREATE
    assert entry.object_id == "2027"
    assert entry.actor == users["city"]
    assert entry.record_count == 33
    assert entry.detail["holidays"] == 27
    assert entry.detail["working_days"] == 6
    assert entry.detail["removed"] == []


def test_calendar_uses_loaded_year(users, example_2027):
    assert calendar.is_provisional(date(2027, 6, 1))

    _load(users, example_2027)

    assert not calendar.is_provisional(date(2027, 6, 1))
    assert 2027 in calendar.loaded_years()
    deadline = calendar.add_working_days(date(2026, 12, 25), 10)
    assert deadline.due == date(2027, 1, 11)
    assert not deadline.provisional


def test_same_file_again_changes_nothing(users, example_2027):
    _load(users, example_2027)
    before = list(SpecialDay.objects.values_list("pk", "day", "kind", "name"))

    result = _load(users, example_2027)

    assert result.outcome == LoadOutcome.UNCHANGED
    assert result.schedule.revision == 1
    assert list(SpecialDay.objects.values_list("pk", "day", "kind", "name")) == before
    assert _schedule_entries().count() == 1


def test_corrected_file_replaces_days(users, example_2027):
    _load(users, example_2027)
    corrected = example_2027.replace(b"2027-10-09,working_day", b"2027-10-08,holiday")

    result = _load(users, corrected, source=SOURCE + ", corrected")

    assert result.outcome == LoadOutcome.REPLACED
    assert result.schedule.revision == 2
    assert result.schedule.source == SOURCE + ", corrected"
    assert not SpecialDay.objects.filter(day=date(2027, 10, 9)).exists()
    assert SpecialDay.objects.get(day=date(2027, 10, 8)).kind == DayKind.HOLIDAY
    assert SpecialDay.objects.count() == 33


def test_replacement_audited_with_difference(users, example_2027):
    _load(users, example_2027)
    corrected = example_2027.replace(b"2027-10-09,working_day", b"2027-10-08,holiday")

    _load(users, corrected)

    entry = _schedule_entries().get(action=AuditAction.UPDATE)
    assert entry.object_id == "2027"
    assert entry.detail["added_or_changed"] == ["2027-10-08"]
    assert entry.detail["removed"] == ["2027-10-09"]
    assert entry.detail["revision"] == 2


def test_calendar_follows_replacement(users, example_2027):
    _load(users, example_2027)
    assert calendar.is_working_day(date(2027, 10, 9))

    _load(
        users, example_2027.replace(b"2027-10-09,working_day,", b"2027-10-08,holiday,")
    )

    assert not calendar.is_working_day(date(2027, 10, 9))
    assert not calendar.is_working_day(date(2027, 10, 8))


def test_loaded_year_replaces_package(users):
    assert calendar.is_working_day(date(2026, 10, 10))

    _load(users, csv_file("2026-10-01,holiday,国庆节"), year=2026)

    # Only the loaded days count now: the package's other 2026 days are gone.
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 2))
    assert not calendar.is_working_day(date(2026, 10, 10))


def test_invalid_file_keeps_loaded_schedule(users, example_2027):
    _load(users, example_2027)

    with pytest.raises(ScheduleFileInvalid):
        _load(users, csv_file("2027-02-10,working_day,春节"))

    assert SpecialDay.objects.count() == 33
    assert OfficialSchedule.objects.get(year=2027).revision == 1
    assert _schedule_entries().count() == 1


def test_failed_replacement_rolls_back(users, example_2027, monkeypatch):
    _load(users, example_2027)

    def fail(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        _load(users, csv_file("2027-01-01,holiday,元旦"))

    assert SpecialDay.objects.count() == 33
    assert OfficialSchedule.objects.get(year=2027).revision == 1
    assert calendar.is_working_day(date(2027, 10, 9))


def test_missing_source_rejected(users, example_2027):
    with pytest.raises(ScheduleFileInvalid) as raised:
        _load(users, example_2027, source="   ")

    assert "source is missing" in str(raised.value)
    assert not OfficialSchedule.objects.exists()


@pytest.mark.parametrize("year", [1999, 2200])
def test_year_out_of_range_rejected(users, example_2027, year):
    with pytest.raises(ScheduleFileInvalid) as raised:
        _load(users, example_2027, year=year)

    assert f"The year {year} is out of range" in str(raised.value)
    assert not OfficialSchedule.objects.exists()


def test_file_for_other_year_rejected(users, example_2027):
    with pytest.raises(ScheduleFileInvalid) as raised:
        _load(users, example_2027, year=2028)

    assert len(raised.value.errors) == 33
    assert "2027-01-01 is not in 2028" in raised.value.errors[0].message
