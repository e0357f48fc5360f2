"""`doudi synth --households N --seed S`: generate and load a synthetic city."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.registry.bulk_load import load_city
from doudi.synth import generate_city, write_truth


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

    def handle(self, *args: Any, **options: Any) -> None:
        households = options["households"]
        if households < 1:
            raise CommandError(f"--households {households} is invalid: give 1 or more.")
        as_of = self._as_of(options["as_of"])
        started = time.perf_counter()
        city = generate_city(households, options["seed"], as_of)
        generated = time.perf_counter()
        result = load_city(
            city, progress=lambda stage, n: self.stderr.write(f"  {stage}: {n}")
        )
        if result.skipped:
            self.stdout.write(
                f"synthetic city seed={options['seed']} households={households} "
                "is already loaded; nothing to do"
            )
            return
        truth = Path(
            options["truth"]
            or settings.DATA_DIR
            / "truth"
            / f"truth-seed{options['seed']}-{households}.parquet"
        )
        truth.parent.mkdir(parents=True, exist_ok=True)
        write_truth(city, truth)
        self.stdout.write(
            f"loaded {result.households} households, {result.persons} persons, "
            f"{result.facts} facts (generate {generated - started:.1f} s, "
            f"load {time.perf_counter() - generated:.1f} s); ground truth in {truth}"
        )

    @staticmethod
    def _as_of(value: str | None) -> date:
        if value is None:
            return date.today()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--as-of {value!r} is invalid: use YYYY-MM-DD."
            ) from None
