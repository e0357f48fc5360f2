"""`doudi cycle --month YYYY-MM`: run the monthly cycle's stages in order."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from doudi.core.cycle import run_cycle, stages

EARLIEST_MONTH = date(2000, 1, 1)


def parse_month(value: str, *, today: date | None = None) -> date:
    """Parse YYYY-MM; months after the current one cannot be run yet."""
    try:
        year, month = (int(part) for part in value.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise CommandError(
            f"--month {value!r} is invalid: use YYYY-MM, e.g. 2026-12."
        ) from None
    current = (today or timezone.localdate()).replace(day=1)
    if first > current:
        raise CommandError(
            f"--month {value} is in the future: run it from {first:%Y-%m-01} on."
        )
    if first < EARLIEST_MONTH:
        raise CommandError(f"--month {value} is before {EARLIEST_MONTH:%Y-%m}.")
    return first


class Command(BaseCommand):
    help = "Run the stages of the monthly cycle in order; done stages are skipped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month", help="month to run, YYYY-MM (default: this month)"
        )
        parser.add_argument(
            "--force", action="store_true", help="re-run stages already done"
        )
        parser.add_argument("--stage", help="run only the stage of this name")
        parser.add_argument(
            "--list", action="store_true", help="list the stages and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for stage in stages():
                self.stdout.write(
                    f"{stage.order:>4}  {stage.name}  {stage.description}"
                )
            return
        month = (
            parse_month(options["month"])
            if options["month"]
            else timezone.localdate().replace(day=1)
        )
        names = [s.name for s in stages()]
        if options["stage"] and options["stage"] not in names:
            raise CommandError(
                f"no stage {options['stage']!r}: choose from {', '.join(names)}"
            )
        total = 1 if options["stage"] else len(names)
        bar = tqdm(
            total=total, desc=f"cycle {month:%Y-%m}", unit="stage", file=sys.stderr
        )
        for outcome in run_cycle(month, force=options["force"], only=options["stage"]):
            bar.update(1)
            summary = json.dumps(outcome.summary, ensure_ascii=False, default=str)
            self.stdout.write(f"{outcome.stage.name}: {outcome.status} {summary}")
        bar.close()
