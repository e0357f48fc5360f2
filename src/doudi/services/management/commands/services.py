"""`doudi services`: import, export and seed the service catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.services import exporting
from doudi.services.demo import DemoCatalogueError, seed_catalogue
from doudi.services.loading import ImportReport, import_file


class Command(BaseCommand):
    help = "Import, export or seed the service catalogue (Open Referral HSDS 3.0)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        read = commands.add_parser(
            "import", help="import HSDS JSON (.json) or HSDS CSV files (.zip)"
        )
        read.add_argument("file", type=Path)
        write = commands.add_parser("export", help="export the whole catalogue")
        write.add_argument(
            "--format",
            choices=["json", "csv"],
            default="json",
            help="json: one HSDS JSON file; csv: a zip of HSDS CSV files",
        )
        write.add_argument("out", type=Path, help="file to write")
        demo = commands.add_parser(
            "demo", help="create the synthetic demo catalogue (run after synth)"
        )
        demo.add_argument("--seed", type=int, default=1, help="random seed")
        demo.add_argument(
            "--organizations", type=int, default=40, help="number of organisations"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        report = import_file(None, path.read_bytes(), path.name)
        self._write_report(report)
        if not report.ok:
            raise CommandError(report.summary())

    def _export(self, options: dict[str, Any]) -> None:
        kind, out = options["format"], options["out"]
        content = (
            exporting.export_json() if kind == "json" else exporting.export_csv_zip()
        )
        out.write_bytes(content)
        exporting.record_export(None, kind, content)
        self.stdout.write(f"wrote {out} ({len(content)} bytes)")

    def _demo(self, options: dict[str, Any]) -> None:
        count = options["organizations"]
        if count < 1:
            raise CommandError(f"--organizations {count} is invalid: give 1 or more.")
        try:
            report = seed_catalogue(options["seed"], count)
        except DemoCatalogueError as error:
            raise CommandError(str(error)) from None
        self._write_report(report)

    def _write_report(self, report: ImportReport) -> None:
        for problem in report.problems:
            self.stderr.write(str(problem))
        for name in report.ignored:
            self.stdout.write(f"ignored: {name}")
        self.stdout.write(report.summary())
