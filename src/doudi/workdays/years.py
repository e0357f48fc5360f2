"""The source of each year's special days, and the list of those days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import chinese_calendar.constants as package_data

from doudi.workdays import calendar
from doudi.workdays.models import DayKind, OfficialSchedule


@dataclass(frozen=True)
class YearStatus:
    """The source of a year's special days: a loaded schedule, the package, or
    none, in which case deadlines counted through the year are provisional."""

    year: int
    schedule: OfficialSchedule | None
    in_package: bool

    @property
    def provisional(self) -> bool:
        return self.schedule is None and not self.in_package


@dataclass(frozen=True)
class DayEntry:
    day: date
    kind: DayKind
    name: str


def year_statuses(years: range) -> list[YearStatus]:
    loaded = OfficialSchedule.objects.filter(year__in=years).select_related("loaded_by")
    by_year = {schedule.year: schedule for schedule in loaded}
    package = calendar.package_years()
    return [YearStatus(year, by_year.get(year), year in package) for year in years]


def year_status(year: int) -> YearStatus:
    return year_statuses(range(year, year + 1))[0]


def special_days(status: YearStatus) -> list[DayEntry]:
    """Return the year's special days from the source that the calendar uses."""
    if status.schedule is not None:
        days = status.schedule.days.order_by("day")
        return [DayEntry(row.day, DayKind(row.kind), row.name) for row in days]
    if status.in_package:
        return _package_days(status.year)
    return []


def _package_days(year: int) -> list[DayEntry]:
    entries = [
        DayEntry(day, DayKind.HOLIDAY, _chinese_name(name))
        for day, name in package_data.holidays.items()
        if day.year == year
    ]
    entries += [
        DayEntry(day, DayKind.WORKING_DAY, _chinese_name(name))
        for day, name in package_data.workdays.items()
        if day.year == year
    ]
    return sorted(entries, key=lambda entry: entry.day)


def _chinese_name(english: str) -> str:
    # The package stores English names, but official notices use the Chinese ones.
    try:
        return str(package_data.Holiday(english).chinese)
    except ValueError:
        return english
