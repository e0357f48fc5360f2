"""`doudi audit seal|verify`: chain new audit entries, or check the chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.privacy import audit


class Command(BaseCommand):
    help = "Seal new audit entries into the hash chain, or verify the chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"sealed {audit.seal()} entries")
            return
        report = audit.verify()
        if report.first_break is not None:
            broken = report.first_break
            raise CommandError(
                f"audit chain broken at link {broken.seq} (entry {broken.entry_id}): "
                f"{broken.reason}; {report.links_checked} links before it are intact"
            )
        self.stdout.write(
            f"audit chain intact: {report.links_checked} links checked, "
            f"{report.unsealed_entries} entries not yet sealed"
        )
