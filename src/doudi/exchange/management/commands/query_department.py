"""`doudi query_department`: ask a department about households and store the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.exchange.models import DataSource
from doudi.exchange.pipeline import DeliveryError
from doudi.exchange.query_client import QueryError, RetryPolicy, query_department


class Command(BaseCommand):
    help = (
        "Query a department's API about the members of one or more households for "
        "one kind of records, and store the answer as a batch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, help="code of the data source")
        parser.add_argument("--kind", required=True, help="kind of records")
        parser.add_argument(
            "--household",
            type=int,
            action="append",
            required=True,
            help="household id; repeat for several households",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="the day the answer describes, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--request-id",
            help="reuse the id of an earlier request to fetch the same answer again",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=RetryPolicy.timeout_seconds,
            help="seconds to wait for each answer (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = DataSource.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(f"No data source has code {options['source']!r}.")
        try:
            result = query_department(
                source,
                options["kind"],
                options["household"],
                as_of=options["as_of"],
                request_id=options["request_id"],
                policy=RetryPolicy(timeout_seconds=options["timeout"]),
            )
        except (QueryError, DeliveryError) as error:
            raise CommandError(str(error)) from None
        batch = result.batch
        stored = (
            f"batch {batch.pk}: stored {batch.rows_stored}, quarantined "
            f"{batch.rows_quarantined}, unmatched {batch.rows_unmatched}"
            if batch is not None
            else "no records, so no batch"
        )
        self.stdout.write(
            f"request {result.request_id}: {result.persons} persons asked, "
            f"{result.records} records ({result.dropped} about other persons "
            f"dropped), {stored}, {result.attempts} attempts"
        )
