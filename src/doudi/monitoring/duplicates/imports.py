"""Import a list of persons assisted in another city from a CSV file.

The file is UTF-8 (a byte order mark is allowed) with a header row naming
these columns, in any order; extra columns are ignored:

- `name` (required): the name in Chinese characters or in pinyin;
- `resident_id`: 18 characters, or the legacy 15 digits;
- `birth_date`: YYYY-MM-DD;
- `sex`: M, F or empty;
- `address`: free text;
- `scheme`: what the person receives there, free text.

A row needs a resident ID or a birth date. Rows that break a rule are not
imported and are listed with their line number and the reason. An ID with a
wrong check character or a placeholder ID is kept as given, because the
linkage weighs such IDs. Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.monitoring.duplicates.models import ImportedList, ImportedRow
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

COLUMNS: Final = ("name", "resident_id", "birth_date", "sex", "address", "scheme")
MAX_BYTES: Final = 50_000_000
IMPORTING_ROLES: Final = frozenset({Role.CITY_ADMIN, Role.DATA_OPERATOR})
_ID_SHAPE: Final = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


def import_list(
    actor: User, *, label: str, source_city: str, content: bytes
) -> ImportedList:
    """Import the rows of `content`; return the new list or the earlier import."""
    if not actor.is_active or actor.role not in IMPORTING_ROLES:
        raise PermissionDenied(_("Your role cannot import lists."))
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("The file has %(size)s bytes; split it into files of at most %(max)s.")
            % {"size": len(content), "max": MAX_BYTES}
        )
    checksum = hashlib.sha256(content).hexdigest()
    earlier = ImportedList.objects.filter(checksum=checksum).first()
    if earlier is not None:
        return earlier
    rows, errors = parse_rows(_decode(content))
    return _save(actor, label, source_city, checksum, rows, errors)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("The file is not UTF-8 text (byte %(at)s). Save it as UTF-8 CSV.")
            % {"at": error.start}
        ) from None


def parse_rows(text: str) -> tuple[list[ImportedRow], list[RowError]]:
    """Return the valid rows (unsaved) and the errors of the others."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name"} - set(reader.fieldnames or ())
    if missing:
        raise ValidationError(
            _("The header row has no %(column)s column. Expected columns: %(all)s.")
            % {"column": "name", "all": ", ".join(COLUMNS)}
        )
    rows, errors = [], []
    for record in reader:
        line = reader.line_num
        try:
            rows.append(_row(line, record))
        except ValidationError as error:
            errors.append(RowError(line, error.messages[0]))
    return rows, errors


def _row(line: int, record: dict[str, str | None]) -> ImportedRow:
    def field(name: str) -> str:
        return (record.get(name) or "").strip()

    if not field("name"):
        raise ValidationError(_("The name is empty; enter the person's name."))
    number = "".join(field("resident_id").split())
    if number and not _ID_SHAPE.fullmatch(number):
        raise ValidationError(
            _(
                "The resident ID must be 18 characters or 15 digits; correct it "
                "or leave it empty."
            )
        )
    born = _birth_date(field("birth_date"))
    if not number and born is None:
        raise ValidationError(
            _("The row has neither a resident ID nor a birth date; add one.")
        )
    sex = field("sex").upper()
    if sex not in {"", "M", "F"}:
        raise ValidationError(_("The sex must be M, F or empty."))
    return ImportedRow(
        line=line,
        name=field("name"),
        resident_id=number.upper() or None,
        birth_date=born,
        sex=sex,
        address=field("address") or None,
        scheme=field("scheme")[:100],
    )


def _birth_date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("The birth date is not a date in the form YYYY-MM-DD; correct it.")
        ) from None


@transaction.atomic
def _save(
    actor: User,
    label: str,
    source_city: str,
    checksum: str,
    rows: list[ImportedRow],
    errors: list[RowError],
) -> ImportedList:
    imported = ImportedList.objects.create(
        label=label.strip()[:200],
        source_city=source_city.strip()[:100],
        checksum=checksum,
        imported_by=actor,
        imported_at=timezone.now(),
        row_count=len(rows),
        rejected=[{"line": e.line, "reason": e.reason} for e in errors],
    )
    for row in rows:
        row.imported_list = imported
    ImportedRow.objects.bulk_create(rows, batch_size=1000)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="duplicates.importedlist",
        object_id=imported.pk,
        purpose=Purpose.MONITORING,
        record_count=len(rows),
        detail={"rejected": len(errors)},
    )
    logger.info(
        "imported list %s: %s rows, %s rejected", imported.pk, len(rows), len(errors)
    )
    return imported
