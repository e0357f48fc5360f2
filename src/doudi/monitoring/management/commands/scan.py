"""`doudi scan [--incremental] [--dry-run]`: scan the city for warnings now."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.monitoring.scan import run_scan
from doudi.monitoring.signals import SignalFileError


class Command(BaseCommand):
    help = "Scan facts for signals of difficulty, missed assistance and exits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="scan only households whose facts changed since the last scan",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count the warnings the scan would raise, and write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_scan(
                incremental=options["incremental"], dry_run=options["dry_run"]
            )
        except SignalFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False, indent=2))
