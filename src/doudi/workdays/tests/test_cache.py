"""The in-process cache of loaded schedules and when it is read again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from doudi.workdays import calendar, services
from doudi.workdays.tests.conftest import FakeSource, csv_file, example_schedule_2027


def test_calls_reuse_snapshot(fake_source):
    for offset in range(100):
        calendar.add_working_days(date(2027, 1, 1) + timedelta(days=offset), 5)

    assert fake_source.stamps == 1
    assert fake_source.reads == 1


def test_same_stamp_not_read_again(fake_source):
    calendar.is_working_day(date(2027, 1, 1))
    calendar.invalidate()
    calendar.is_working_day(date(2027, 1, 1))

    assert fake_source.stamps == 2
    assert fake_source.reads == 1


def test_new_stamp_read_again(fake_source):
    assert not calendar.is_working_day(date(2027, 1, 1))

    fake_source.loaded = []
    fake_source.version += 1
    calendar.invalidate()

    assert calendar.is_working_day(date(2027, 1, 1))
    assert fake_source.reads == 2


def test_stamp_checked_after_interval(fake_source, monkeypatch):
    monkeypatch.setattr(calendar, "STAMP_CHECK_SECONDS", 0.0)

    calendar.is_working_day(date(2027, 1, 1))
    calendar.is_working_day(date(2027, 1, 1))

    assert fake_source.stamps == 2


def test_using_source_restores_previous():
    outer = FakeSource([])
    inner = FakeSource([example_schedule_2027()])

    with calendar.using_source(outer):
        with calendar.using_source(inner):
            assert not calendar.is_working_day(date(2027, 1, 1))
        assert calendar.is_working_day(date(2027, 1, 1))


def test_package_only_without_source():
    with calendar.using_source(None):
        assert not calendar.is_working_day(date(2026, 10, 1))
        assert calendar.is_provisional(date(2027, 6, 1))
        assert calendar.loaded_years() == frozenset()


def test_many_starts_read_database_once(users, django_assert_num_queries):
    services.load_schedule(
        2027, csv_file("2027-01-01,holiday,元旦"), source="notice", actor=users["city"]
    )
    starts = [date(2026, 1, 1) + timedelta(days=n % 700) for n in range(50_000)]

    # One query for the stamp and two for the schedules and their days.
    with django_assert_num_queries(3):
        deadlines = calendar.add_working_days_many(starts, 30)
    with django_assert_num_queries(0):
        again = calendar.add_working_days_many(starts, 30)

    assert len(deadlines) == 50_000
    assert deadlines == again


@pytest.mark.django_db
def test_single_calls_read_database_once(django_assert_num_queries):
    with django_assert_num_queries(3):
        for offset in range(1000):
            calendar.add_working_days(date(2026, 1, 1) + timedelta(days=offset), 30)
