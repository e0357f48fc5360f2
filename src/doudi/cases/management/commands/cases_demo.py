"""`doudi cases_demo`: put cases at every step into the demo city."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from doudi.cases.demo import seed_cases
from doudi.core.cycle import run_cycle
from doudi.core.env import Environment
from doudi.payments import months


class Command(BaseCommand):
    help = (
        "Create demo cases at every step, some overdue, for the demo accounts "
        "(development only; run `doudi synth` first)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT != Environment.DEVELOPMENT:
            raise CommandError(
                "demo cases exist only in development (DOUDI_ENV=development)"
            )
        try:
            summary = seed_cases()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        # Awards are paid from the month after approval, so next month's roll
        # is the first to list the demo's awards; draft it now.
        following = months.next_month(timezone.localdate())
        for outcome in run_cycle(following, only="payments.roll", force=True):
            self.stdout.write(
                f"{outcome.stage.name}: {outcome.status} {outcome.summary}"
            )
        self.stdout.write("Demo cases by step:")
        for step, count in summary.items():
            self.stdout.write(f"  {step:<20}{count}")
