"""`doudi synth --households N --seed S [--feeds [YYYY-MM]]`: generate and load a city.

With --feeds it also writes a month of department feeds into the inbox (see
doudi.synth_demo), which the monthly cycle's exchange stage ingests.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.registry.bulk_load import load_city
from doudi.registry.models import SynthRun
from doudi.synth import SynthCity, generate_city, write_truth
from doudi.synth_demo import DemoSetupError, prepare_demo_feeds


class Command(BaseCommand):
    help = "Generate a synthetic city with a fixed seed and load it into the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households", type=int, default=20_000, help="number of households"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed; same seed, same city"
        )
        parser.add_argument(
            "--as-of", default=None, help="reference date YYYY-MM-DD (default today)"
        )
        parser.add_argument(
            "--truth",
            default=None,
            help="Parquet file for the ground truth (default: DATA_DIR/truth/…); "
            "the system never reads it",
        )
        parser.add_argument(
            "--feeds",
            nargs="?",
            const="",
            default=None,
            metavar="YYYY-MM",
            help="also write that month's department feeds into the inbox "
            "(default month: the as-of month), register the demo data sources "
            "and record the demo authorisations; files already written are "
            "not written again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        households = options["households"]
        if households < 1:
            raise CommandError(f"--households {households} is invalid: give 1 or more.")
        as_of = self._as_of(options["as_of"], options["seed"], households)
        started = time.perf_counter()
        city = generate_city(households, options["seed"], as_of)
        generated = time.perf_counter()
        result = load_city(
            city, progress=lambda stage, n: self.stderr.write(f"  {stage}: {n}")
        )
        if result.skipped:
            self.stdout.write(
                f"synthetic city seed={options['seed']} households={households} "
                "is already loaded; nothing to load"
            )
        else:
            truth = self._write_truth(city, options)
            self.stdout.write(
                f"loaded {result.households} households, {result.persons} persons, "
                f"{result.facts} facts (generate {generated - started:.1f} s, "
                f"load {time.perf_counter() - generated:.1f} s); "
                f"ground truth in {truth}"
            )
        if options["feeds"] is not None:
            self._write_feeds(city, options["feeds"])

    @staticmethod
    def _write_truth(city: SynthCity, options: dict[str, Any]) -> Path:
        households = city.households.height
        truth = Path(
            options["truth"]
            or settings.DATA_DIR
            / "truth"
            / f"truth-seed{options['seed']}-{households}.parquet"
        )
        truth.parent.mkdir(parents=True, exist_ok=True)
        write_truth(city, truth)
        return truth

    def _write_feeds(self, city: SynthCity, month_text: str) -> None:
        month = city.as_of if month_text == "" else self._month(month_text)
        started = time.perf_counter()
        try:
            demo = prepare_demo_feeds(city, month)
        except (DemoSetupError, ValueError) as error:
            raise CommandError(str(error)) from None
        report = demo.report
        statuses = Counter(file.status for file in report.files)
        self.stdout.write(
            f"feeds for {month:%Y-%m}: {len(report.files)} files "
            f"({statuses['written']} written, {statuses['waiting']} already waiting, "
            f"{statuses['delivered']} already delivered), "
            f"{sum(report.rows.values())} rows, {sum(report.defects.values())} "
            f"with defects ({time.perf_counter() - started:.1f} s); "
            f"{len(demo.sources_added)} sources added; "
            f"{demo.households_authorised} households authorised "
            f"({demo.authorisations_added} new)"
        )

    @staticmethod
    def _month(value: str) -> date:
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            raise CommandError(f"--feeds {value!r} is invalid: use YYYY-MM.") from None

    @staticmethod
    def _as_of(value: str | None, seed: int, households: int) -> date:
        """Return --as-of, else the as-of date of the same city loaded before.

        Reusing the stored date keeps a re-run's city (and its feeds) the same
        as the one in the registry, whose birth dates and IDs depend on it.
        """
        if value is None:
            loaded = SynthRun.objects.filter(seed=seed, households=households).first()
            return loaded.as_of if loaded is not None else date.today()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--as-of {value!r} is invalid: use YYYY-MM-DD."
            ) from None
