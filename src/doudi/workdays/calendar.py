"""Working-day arithmetic on the Chinese public-holiday calendar.

A day is a working day unless it is a Saturday, a Sunday or a public holiday.
An adjusted working day (调休) on a weekend is a working day. The special days
of a year come from a schedule that a city administrator loaded, else from the
``chinese_calendar`` package. A year in neither has only weekends as rest days,
and every deadline that counts a day of it is provisional.

This module does not import Django. Loaded schedules reach it through a
``ScheduleSource`` that the workdays app registers at start-up. The snapshot
built from them is cached in-process and rebuilt when the source's stamp
changes.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Protocol

import chinese_calendar.constants as package_data

# Seconds a snapshot is used before the source's stamp is read again. A load
# invalidates the snapshot of its own process at once, and other processes
# (web workers, Celery) see a newly loaded year within this many seconds.
STAMP_CHECK_SECONDS = 10.0


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # True when any day counted lies in a year with no schedule
    working_days: int  # the limit that was counted


@dataclass(frozen=True)
class YearSchedule:
    """The special days of one year: rest days on weekdays or weekends, and
    adjusted working days on weekends."""

    year: int
    holidays: frozenset[date]
    adjusted_working_days: frozenset[date]


class ScheduleSource(Protocol):
    def stamp(self) -> Hashable:
        """Return a cheap value that changes whenever a loaded schedule changes."""

    def schedules(self) -> Iterable[YearSchedule]:
        """Return every loaded schedule."""


def is_working_day(day: date) -> bool:
    return _snapshot().is_working_day(day)


def is_provisional(day: date) -> bool:
    return day.year not in _snapshot().scheduled_years


def add_working_days(start: date, days: int) -> Deadline:
    """Return the deadline on which ``days`` working days after ``start`` have
    passed.

    The start day itself is not counted. With ``days == 0`` the start day is
    returned as it is, even when it is a rest day.
    """
    return _snapshot().add(start, days)


def add_working_days_many(starts: Sequence[date], days: int) -> list[Deadline]:
    """Compute ``add_working_days`` for many start days from one snapshot."""
    snapshot = _snapshot()
    found: dict[date, Deadline] = {}
    for start in starts:
        if start not in found:
            found[start] = snapshot.add(start, days)
    return [found[start] for start in starts]


def working_days_between(start: date, end: date) -> int:
    """Count the working days after ``start`` up to and including ``end``.

    When ``end`` is before ``start`` the result is the negated count from
    ``end`` to ``start``.
    """
    snapshot = _snapshot()
    return snapshot.count_to(end.toordinal()) - snapshot.count_to(start.toordinal())


def add_calendar_days(start: date, days: int) -> date:
    """Add calendar days, for limits such as a public notice of 7 calendar days."""
    return start + timedelta(days=days)


def package_years() -> frozenset[int]:
    """Years whose schedule the ``chinese_calendar`` package carries."""
    return _PACKAGE_YEARS


def loaded_years() -> frozenset[int]:
    """Years with a schedule loaded by an administrator."""
    return _snapshot().loaded_years


def use_schedule_source(source: ScheduleSource | None) -> None:
    """Register where loaded schedules come from (None: the package only)."""
    global _source, _cached
    with _lock:
        _source = source
        _cached = None
        _invalidate_locked()


@contextmanager
def using_source(source: ScheduleSource | None) -> Iterator[None]:
    """Count with `source` inside the block, then go back to the source
    registered before. None (package data only) suits tests without a database."""
    previous = _source
    use_schedule_source(source)
    try:
        yield
    finally:
        use_schedule_source(previous)


def invalidate() -> None:
    """Ask the source again on the next call, e.g. right after a load."""
    with _lock:
        _invalidate_locked()


# --- the snapshot --------------------------------------------------------


def _weekdays_to(ordinal: int) -> int:
    """Mondays to Fridays among ordinals 1..ordinal (ordinal 1 is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


class _Snapshot:
    """The special days of every scheduled year, arranged for counting.

    ``count_to(n)`` is the number of working days among ordinals 1..n: the
    weekday count plus a running sum of the corrections made by special days
    (-1 for a holiday on a weekday, +1 for an adjusted working weekend day).
    """

    def __init__(self, years: dict[int, YearSchedule], loaded: frozenset[int]):
        self.scheduled_years = frozenset(years)
        self.loaded_years = loaded
        self.working: dict[date, bool] = {}
        for schedule in years.values():
            self.working.update(dict.fromkeys(schedule.holidays, False))
            self.working.update(dict.fromkeys(schedule.adjusted_working_days, True))
        corrections = sorted(
            (day.toordinal(), 1 if works else -1)
            for day, works in self.working.items()
            if works != (day.weekday() < 5)
        )
        self.ordinals = [ordinal for ordinal, _ in corrections]
        self.sums = [0, *accumulate(delta for _, delta in corrections)]

    def is_working_day(self, day: date) -> bool:
        return self.working.get(day, day.weekday() < 5)

    def count_to(self, ordinal: int) -> int:
        return _weekdays_to(ordinal) + self.sums[bisect_right(self.ordinals, ordinal)]

    def add(self, start: date, days: int) -> Deadline:
        if days < 0:
            raise ValueError(f"days must be 0 or more, got {days}")
        due = date.fromordinal(self._first_reaching(start.toordinal(), days))
        return Deadline(due, self._provisional(start, due), days)

    def _first_reaching(self, start: int, days: int) -> int:
        """Find the smallest ordinal n >= start with count_to(n) -
        count_to(start) >= days, by doubling a window and then halving it."""
        target = self.count_to(start) + days
        low, span = start, days + days // 2 + 7
        while self.count_to(low + span) < target:
            low, span = low + span, span * 2
        high = low + span
        while low < high:
            middle = (low + high) // 2
            if self.count_to(middle) < target:
                low = middle + 1
            else:
                high = middle
        return low

    def _provisional(self, start: date, due: date) -> bool:
        if due <= start:
            return False
        first = (start + timedelta(days=1)).year
        return any(
            year not in self.scheduled_years for year in range(first, due.year + 1)
        )


def _package_schedules() -> dict[int, YearSchedule]:
    years = {day.year for day in package_data.holidays}
    years |= {day.year for day in package_data.workdays}
    return {
        year: YearSchedule(
            year,
            frozenset(d for d in package_data.holidays if d.year == year),
            frozenset(d for d in package_data.workdays if d.year == year),
        )
        for year in years
    }


_PACKAGE = _package_schedules()
_PACKAGE_YEARS = frozenset(_PACKAGE)

_lock = threading.Lock()
_source: ScheduleSource | None = None
_cached: _Snapshot | None = None
_cached_stamp: Hashable = None
_checked_at = float("-inf")


def _invalidate_locked() -> None:
    global _checked_at
    _checked_at = float("-inf")


def _build(loaded: Iterable[YearSchedule]) -> _Snapshot:
    years = dict(_PACKAGE)
    loaded_years = set()
    for schedule in loaded:
        years[schedule.year] = schedule
        loaded_years.add(schedule.year)
    return _Snapshot(years, frozenset(loaded_years))


def _snapshot() -> _Snapshot:
    cached = _cached
    if cached is not None and time.monotonic() - _checked_at < STAMP_CHECK_SECONDS:
        return cached
    with _lock:
        return _refresh_locked()


def _refresh_locked() -> _Snapshot:
    global _cached, _cached_stamp, _checked_at
    if _source is None:
        stamp: Hashable = None
        if _cached is None:
            _cached = _build(())
    else:
        stamp = _source.stamp()
        if _cached is None or stamp != _cached_stamp:
            _cached = _build(_source.schedules())
    _cached_stamp = stamp
    _checked_at = time.monotonic()
    return _cached
