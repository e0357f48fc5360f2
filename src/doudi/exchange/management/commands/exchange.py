"""`doudi exchange`: data sources, file ingestion, the inbox and batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.exchange.inbox import inbox_dir, process_inbox
from doudi.exchange.models import Batch, Channel, DataSource, DeliveryMode
from doudi.exchange.pipeline import DeliveryError, ingest_file
from doudi.exchange.sources import add_source


class Command(BaseCommand):
    help = "Manage department data sources and ingest their files."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("sources", help="list the data sources")
        add = commands.add_parser("source-add", help="register a data source")
        add.add_argument("code", help="short code, also the inbox folder name")
        add.add_argument("--department", required=True, help="department name")
        add.add_argument(
            "--kinds", required=True, help="comma-separated kinds of records"
        )
        add.add_argument("--mode", required=True, choices=DeliveryMode.values)
        add.add_argument("--contact", default="", help="who to ask about the feed")
        add.add_argument("--query-url", default="", help="the department's query API")
        ingest = commands.add_parser("ingest", help="ingest one file")
        ingest.add_argument("path", type=Path)
        ingest.add_argument("--source", required=True, help="source code")
        ingest.add_argument("--kind", required=True, help="kind of records")
        ingest.add_argument(
            "--supersedes", type=int, help="id of the batch this file corrects"
        )
        commands.add_parser("inbox", help=f"process the inbox ({inbox_dir()})")
        batches = commands.add_parser("batches", help="list recent batches")
        batches.add_argument("--limit", type=int, default=50, help="how many to list")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except DeliveryError as error:
            raise CommandError(str(error)) from None

    def _sources(self, options: dict[str, Any]) -> None:
        for source in DataSource.objects.order_by("code"):
            state = "" if source.active else "\t(inactive)"
            self.stdout.write(
                f"{source.code}\t{source.delivery_mode}\t{','.join(source.kinds)}\t"
                f"{source.department}{state}"
            )

    def _source_add(self, options: dict[str, Any]) -> None:
        source = add_source(
            options["code"],
            department=options["department"],
            kinds=[
                kind.strip() for kind in options["kinds"].split(",") if kind.strip()
            ],
            mode=options["mode"],
            contact=options["contact"],
            query_url=options["query_url"],
        )
        self.stdout.write(f"added source {source.code}")

    def _ingest(self, options: dict[str, Any]) -> None:
        source = DataSource.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(f"No data source has code {options['source']!r}.")
        supersedes = None
        if options["supersedes"] is not None:
            supersedes = Batch.objects.filter(pk=options["supersedes"]).first()
            if supersedes is None:
                raise CommandError(f"Batch {options['supersedes']} does not exist.")
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        batch = ingest_file(
            path,
            source=source,
            kind=options["kind"],
            channel=Channel.UPLOAD,
            supersedes=supersedes,
        )
        self._write_batch(batch)

    def _inbox(self, options: dict[str, Any]) -> None:
        report = process_inbox()
        for batch in Batch.objects.filter(pk__in=report.batches).order_by("pk"):
            self._write_batch(batch)
        summary = report.summary()
        self.stdout.write(", ".join(f"{key} {value}" for key, value in summary.items()))

    def _batches(self, options: dict[str, Any]) -> None:
        recent = Batch.objects.select_related("source").order_by("-pk")
        for batch in recent[: options["limit"]]:
            self._write_batch(batch)

    def _write_batch(self, batch: Batch) -> None:
        self.stdout.write(
            f"batch {batch.pk}\t{batch.source.code}\t{batch.kind}\t{batch.status}\t"
            f"rows {batch.rows_total}: stored {batch.rows_stored}, quarantined "
            f"{batch.rows_quarantined}, unmatched {batch.rows_unmatched}, duplicate "
            f"{batch.rows_duplicate}" + (f"\n  {batch.error}" if batch.error else "")
        )
