"""Read the loaded schedules from the database for the working-day calendar."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from datetime import date

from django.db.models import Count, Max, Sum

from doudi.workdays.calendar import YearSchedule
from doudi.workdays.models import DayKind, OfficialSchedule, SpecialDay


class DatabaseScheduleSource:
    """The `calendar.ScheduleSource` that the workdays app registers."""

    def stamp(self) -> Hashable:
        # A first load adds a row and a replacement raises its revision, so
        # every load that changes a schedule changes this stamp.
        totals = OfficialSchedule.objects.aggregate(
            count=Count("id"), revisions=Sum("revision"), latest=Max("loaded_at")
        )
        return (totals["count"], totals["revisions"], totals["latest"])

    def schedules(self) -> list[YearSchedule]:
        years = list(OfficialSchedule.objects.values_list("year", flat=True))
        holidays: dict[int, set[date]] = defaultdict(set)
        working: dict[int, set[date]] = defaultdict(set)
        rows = SpecialDay.objects.values_list("schedule__year", "day", "kind")
        for year, day, kind in rows:
            (holidays if kind == DayKind.HOLIDAY else working)[year].add(day)
        return [
            YearSchedule(year, frozenset(holidays[year]), frozenset(working[year]))
            for year in years
        ]
