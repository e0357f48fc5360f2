"""Fixtures of the working-day tests: a synthetic 2027 schedule and fakes."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from datetime import date
from pathlib import Path

import pytest

from doudi.workdays import calendar
from doudi.workdays.calendar import YearSchedule

# A made-up schedule in the official format, not the State Council's.
EXAMPLE_2027 = Path(__file__).with_name("example-2027.csv")


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Each test reads the schedules of its own database, not a cached copy."""
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def example_2027() -> bytes:
    return EXAMPLE_2027.read_bytes()


def csv_file(*lines: str) -> bytes:
    return "\n".join(["date,kind,name", *lines]).encode()


class FakeSource:
    """An in-memory schedule source that counts how often it is read."""

    def __init__(self, schedules: list[YearSchedule]):
        self.loaded = schedules
        self.version = 0
        self.stamps = 0
        self.reads = 0

    def stamp(self) -> Hashable:
        self.stamps += 1
        return self.version

    def schedules(self) -> list[YearSchedule]:
        self.reads += 1
        return self.loaded


def example_schedule_2027() -> YearSchedule:
    """The example 2027 file as a YearSchedule, without the database."""
    holidays: set[date] = set()
    working: set[date] = set()
    for line in EXAMPLE_2027.read_text().splitlines()[1:]:
        day, kind, _name = line.split(",")
        (holidays if kind == "holiday" else working).add(date.fromisoformat(day))
    return YearSchedule(2027, frozenset(holidays), frozenset(working))


@pytest.fixture
def fake_source() -> Iterator[FakeSource]:
    """Count with the package plus the example 2027 schedule, leaving 2028 unknown."""
    source = FakeSource([example_schedule_2027()])
    with calendar.using_source(source):
        yield source
