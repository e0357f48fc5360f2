"""`doudi duplicates run|import|demo`: run the check, import a list, or the demo's.

`doudi duplicates run` links enrolled persons and imported lists now, as the
weekly task does. `doudi duplicates import FILE --label L --source-city C
--user U` imports another city's CSV (layout in docs/duplicates.md) as user
U, who must be a city administrator or data operator. `doudi duplicates
demo` (development only) imports the demo's list from another city and
runs the check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.core.env import Environment
from doudi.monitoring.duplicates.demo import import_demo_list
from doudi.monitoring.duplicates.detection import run_detection
from doudi.monitoring.duplicates.imports import import_list
from doudi.privacy.models import User


class Command(BaseCommand):
    help = "Run the duplicate assistance check, or import another city's list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "import", "demo"])
        parser.add_argument("file", nargs="?", help="the CSV file to import")
        parser.add_argument("--label", default="", help="a name for the list")
        parser.add_argument("--source-city", default="", help="the city it came from")
        parser.add_argument("--user", help="user name the import is recorded under")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "demo":
            self._demo()
            return
        if options["action"] == "run":
            run = run_detection()
            self.stdout.write(
                f"run {run.pk}: {run.records} records, {run.candidates} candidate "
                f"pairs, {run.new_pairs} new"
            )
            return
        self._import(options)

    def _demo(self) -> None:
        if settings.ENVIRONMENT != Environment.DEVELOPMENT:
            raise CommandError(
                "the demo list exists only in development (DOUDI_ENV=development)"
            )
        admin = User.objects.filter(username="city_admin").first()
        if admin is None:
            raise CommandError("no city_admin account: run `doudi demo` first.")
        imported, run = import_demo_list(admin)
        self.stdout.write(
            f"demo list {imported.pk}: {imported.row_count} rows; run {run.pk}: "
            f"{run.new_pairs} new pairs to review"
        )

    def _import(self, options: dict[str, Any]) -> None:
        if not options["file"] or not options["user"]:
            raise CommandError("import needs FILE and --user: give both.")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"user {options['user']!r} not found: give a user name.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file {path} not found: give the path of a CSV file.")
        try:
            imported = import_list(
                user,
                label=options["label"] or path.stem,
                source_city=options["source_city"],
                content=path.read_bytes(),
            )
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(f"import of {path} failed: {error}") from error
        self.stdout.write(
            f"list {imported.pk}: {imported.row_count} rows imported, "
            f"{len(imported.rejected)} rejected"
        )
        for rejected in imported.rejected:
            self.stdout.write(f"  line {rejected['line']}: {rejected['reason']}")
