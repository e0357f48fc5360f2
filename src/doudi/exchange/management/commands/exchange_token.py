"""`doudi exchange_token SOURCE`: issue a push API token and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.exchange.api import issue_token
from doudi.exchange.models import DataSource
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose


class Command(BaseCommand):
    help = (
        "Issue a new push API token for a data source and print it once. Only "
        "its SHA-256 is stored, and the source's previous token stops working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="code of the data source")

    def handle(self, *args: Any, **options: Any) -> None:
        source = DataSource.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(
                f"No data source has code {options['source']!r}; list them with "
                "`doudi exchange sources`."
            )
        if not source.active:
            raise CommandError(
                f"Source {source.code} is inactive; activate it before issuing a token."
            )
        token = issue_token(source)
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="exchange.datasource",
            object_id=source.pk,
            purpose=Purpose.SYSTEM,
            detail={"code": source.code, "push_token": "issued"},
        )
        self.stdout.write(token)
        self.stderr.write(
            f"Give this token to {source.department} now; it cannot be shown again."
        )
