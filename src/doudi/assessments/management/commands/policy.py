"""`doudi policy show|export`: read the policy parameters in force."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from doudi.policy import ParameterNotFound
from doudi.policychanges.effective import effective_parameters


class Command(BaseCommand):
    help = (
        "show: print one parameter's value on a date with its source and flags. "
        "export: print a city's effective parameter file as YAML. Both read the "
        "shipped parameter files with every approved change applied."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show", "export"])
        parser.add_argument("name", nargs="?", help="parameter name (show only)")
        parser.add_argument("--city", default=None, help="city (default: DOUDI_CITY)")
        parser.add_argument("--district", help="district division code (show only)")
        parser.add_argument("--on", help="date YYYY-MM-DD (show only; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        params = effective_parameters()
        city = options["city"] or settings.DOUDI_CITY
        if city not in params.cities():
            known = ", ".join(sorted(params.cities()))
            raise CommandError(f"no parameter file for city {city!r}: choose {known}")
        if options["action"] == "export":
            self.stdout.write(params.to_yaml(city))
            return
        if not options["name"]:
            raise CommandError("show needs a parameter name, e.g. dibao.standard")
        try:
            value = params.get(
                options["name"],
                city=city,
                on=self._day(options["on"]),
                district=options["district"],
            )
        except ParameterNotFound as exc:
            raise CommandError(str(exc)) from None
        flags = ", ".join(value.flags) or "none"
        since = value.effective_from.isoformat()
        self.stdout.write(
            f"{value.name} = {value.value} ({value.unit}) from {since}; "
            f"source: {value.source}; flags: {flags}"
        )

    @staticmethod
    def _day(text: str | None) -> date:
        if text is None:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--on {text!r} is invalid: use YYYY-MM-DD.") from None
