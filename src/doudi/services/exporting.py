"""Export the whole catalogue as HSDS JSON or as a zip of HSDS CSV files.

The JSON file is a list of fully nested `organization` objects, each with
its locations and its fully nested services. The CSV archive contains one file
per HSDS table, made by flattening that same JSON, so both formats carry the
same records with the same ids.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import zipfile
from typing import Any, Final

from django.http import HttpRequest

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.services import hsds_out
from doudi.services.loading import CATALOGUE_OBJECT
from doudi.services.reading_json import read_json
from doudi.services.tables import TABLES

logger = logging.getLogger(__name__)

JSON_NAME: Final = "catalogue.json"
# A fixed timestamp for archive members, so the same catalogue always zips
# to the same bytes.
ZIP_TIME: Final = (2000, 1, 1, 0, 0, 0)


def catalogue_json() -> list[dict[str, Any]]:
    return [hsds_out.organization(item) for item in hsds_out.organizations_for_output()]


def export_json() -> bytes:
    text = json.dumps(catalogue_json(), ensure_ascii=False, indent=2)
    return (text + "\n").encode()


def export_csv_zip() -> bytes:
    """Return a zip with one CSV per HSDS table, each with a header row."""
    flat = read_json(export_json(), JSON_NAME)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            rows = _unique(flat.rows.get(table.name, []))
            member = zipfile.ZipInfo(table.file_name, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, _csv_text(table.header, rows))
    return buffer.getvalue()


def _unique(rows: list[Any]) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(row.values.get("id"), row.values)
    return list(seen.values())


def _csv_text(header: list[str], rows: list[dict[str, Any]]) -> str:
    output = io.StringIO(newline="")
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in header])
    return output.getvalue()


def record_export(
    actor: User | None, kind: str, content: bytes, request: HttpRequest | None = None
) -> None:
    """Audit an export of the catalogue (public data about organisations)."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=CATALOGUE_OBJECT,
        purpose=Purpose.SYSTEM,
        request=request,
        checksum=hashlib.sha256(content).hexdigest(),
        detail={"format": kind},
    )
    logger.info("catalogue exported as %s (%d bytes)", kind, len(content))
