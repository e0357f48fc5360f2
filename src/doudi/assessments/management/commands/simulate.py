"""`doudi simulate --set NAME=VALUE`: what a policy reform would change."""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from doudi.assessments.registry_inputs import read_registry
from doudi.core.management.commands.cycle import parse_month
from doudi.policy import ParameterNotFound
from doudi.policy.registry_frames import RegistryFrames, inputs_from_frames
from doudi.policy.simulation import Simulation, simulate
from doudi.policychanges.effective import effective_parameters
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose

NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def parse_setting(text: str) -> tuple[str, Any]:
    """Parse NAME=VALUE; numbers become Decimal, true/false booleans."""
    name, separator, raw = text.partition("=")
    if not separator or not name.strip():
        raise CommandError(
            f"--set {text!r} is invalid: use NAME=VALUE, e.g. dibao.standard=1800"
        )
    raw = raw.strip()
    if NUMBER.match(raw):
        return name.strip(), Decimal(raw)
    if raw.lower() in ("true", "false"):
        return name.strip(), raw.lower() == "true"
    return name.strip(), raw


class Command(BaseCommand):
    help = (
        "Simulate a reform: parameter overrides from a date, applied to the "
        "registry as of a month, compared with the current rules per district "
        "and scheme (households and persons gained and lost, monthly cost change)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a parameter override; repeat for several",
        )
        parser.add_argument(
            "--from",
            dest="start",
            help="date the reform takes effect, "
            "YYYY-MM-DD (default: first day of --month)",
        )
        parser.add_argument(
            "--month", help="month assessed, YYYY-MM (default: this month)"
        )
        parser.add_argument(
            "--district", help="apply the reform to this district code only"
        )
        parser.add_argument(
            "--list-affected",
            action="store_true",
            help="also list affected household ids (audited)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["set"]:
            raise CommandError("give at least one --set NAME=VALUE")
        month = (
            parse_month(options["month"])
            if options["month"]
            else timezone.localdate().replace(day=1)
        )
        day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        overrides = {
            name: [(self._start(options["start"], month), value)]
            for name, value in map(parse_setting, options["set"])
        }

        frames = read_registry(day)
        if frames.households.is_empty():
            raise CommandError(
                "the registry has no households on that day: run `doudi synth`"
            )
        result = self._simulate(frames, overrides, options["district"], day)
        self._print(result.summary)

        audit.record_batch(
            action=AuditAction.BATCH,
            object_type="policy.simulation",
            record_count=frames.households.height,
            checksum="",
            purpose=Purpose.DATA_QUALITY,
            detail={"overrides": sorted(overrides), "month": month.isoformat()},
        )
        if options["list_affected"]:
            self._print_affected(result.affected)

    @staticmethod
    def _simulate(
        frames: RegistryFrames,
        overrides: dict[str, list[tuple[date, Any]]],
        district: str | None,
        day: date,
    ) -> Simulation:
        city = settings.DOUDI_CITY
        # The baseline is the parameters in force: files plus approved changes.
        baseline = effective_parameters()
        try:
            reform = baseline.with_overrides(overrides, city=city, district=district)
            inputs = inputs_from_frames(frames, city_name=city)
            return simulate(inputs, baseline, reform, city=city, on=day)
        except ParameterNotFound as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(f"invalid reform: {exc}") from None

    @staticmethod
    def _start(value: str | None, month: date) -> date:
        if value is None:
            return month
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--from {value!r} is invalid: use YYYY-MM-DD."
            ) from None

    def _print(self, summary: pl.DataFrame) -> None:
        self.stdout.write(
            "district  scheme     +households  -households  +persons  -persons  "
            "monthly cost change (yuan)"
        )
        for row in summary.iter_rows(named=True):
            change = Decimal(int(row["monthly_cost_change_fen"])) / 100
            counts = (
                f"{row['households_gained']:>11}  {row['households_lost']:>11}  "
                f"{row['persons_gained']:>8}  {row['persons_lost']:>8}"
            )
            where = f"{row['district_code']:<9} {row['scheme']:<10}"
            self.stdout.write(f"{where} {counts}  {change:>14.2f}")
        total = Decimal(int(summary["monthly_cost_change_fen"].sum())) / 100
        self.stdout.write(f"total monthly cost change: {total:.2f} yuan")

    def _print_affected(self, affected: pl.DataFrame) -> None:
        for row in affected.iter_rows(named=True):
            self.stdout.write(
                f"household {row['household_id']} {row['scheme']}: "
                f"{row['eligible_baseline']}→{row['eligible_reform']}, "
                f"{row['amount_fen_baseline']}→{row['amount_fen_reform']} fen"
            )
