"""`doudi workdays load|show`: official holiday schedules from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from doudi.privacy.models import User
from doudi.workdays import services
from doudi.workdays.schedule_file import ScheduleFileInvalid
from doudi.workdays.years import YearStatus, special_days, year_status

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Command(BaseCommand):
    help = (
        "load: load a year's official holiday schedule from a CSV file "
        "(header date,kind,name), replacing the one loaded before. "
        "show: list a year's special days and where they come from."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="load a year's schedule from a CSV file")
        load.add_argument("file", type=Path, help="the CSV file (UTF-8)")
        load.add_argument("--year", type=int, required=True, help="the year, YYYY")
        load.add_argument(
            "--source",
            required=True,
            help="the notice the days come from: title, number or web address",
        )
        load.add_argument(
            "--as",
            dest="actor",
            required=True,
            metavar="USERNAME",
            help="the city administrator who loads it (named in the audit log)",
        )
        show = actions.add_parser("show", help="list a year's special days")
        show.add_argument("year", type=int, help="the year, YYYY")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options)
        else:
            self._show(options["year"])

    def _load(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file: give the path of the CSV.")
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"No user is named {options['actor']!r}.")
        try:
            result = services.load_schedule(
                options["year"],
                path.read_bytes(),
                source=options["source"],
                actor=actor,
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ScheduleFileInvalid as error:
            raise CommandError(_lines(error)) from None
        days = result.schedule.days.count()
        self.stdout.write(
            f"{result.schedule.year}: {result.outcome.value} ({days} days, "
            f"revision {result.schedule.revision})"
        )

    def _show(self, year: int) -> None:
        status = year_status(year)
        self.stdout.write(_describe(status))
        for entry in special_days(status):
            weekday = WEEKDAYS[entry.day.weekday()]
            self.stdout.write(
                f"{entry.day.isoformat()}\t{weekday}\t{entry.kind}\t{entry.name}"
            )


def _lines(error: ScheduleFileInvalid) -> str:
    problems = [
        f"line {problem.line}: {problem.message}" if problem.line else problem.message
        for problem in error.errors
    ]
    return "The schedule was not loaded:\n" + "\n".join(problems)


def _describe(status: YearStatus) -> str:
    schedule = status.schedule
    if schedule is not None:
        loaded_at = timezone.localtime(schedule.loaded_at).strftime("%Y-%m-%d %H:%M")
        return (
            f"{status.year}: loaded by {schedule.loaded_by.username} on {loaded_at} "
            f"(revision {schedule.revision}); source: {schedule.source}"
        )
    if status.in_package:
        return f"{status.year}: from the chinese_calendar package"
    return (
        f"{status.year}: missing. No official schedule: only weekends are rest "
        "days and deadlines counted through this year are provisional."
    )
