"""Import the bank's results file for an exported roll.

The file is checked whole before anything is recorded, so a malformed file
changes nothing and its error names the line. Each result settles a sent
line as paid or failed exactly once. A result for a line already settled
the same way is counted as unchanged. A contrary one is reported as a
conflict and not applied. A line id that is not on the roll is reported as
unknown. Importing the same file again returns the first import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.payments.models import (
    LineStatus,
    PaymentLine,
    PaymentRoll,
    ResultsImport,
    RollStatus,
)
from doudi.payments.permissions import DECIDING_ROLES, require_district_role
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

HEADER: Final = ("line_id", "status", "reason_code", "bank_reference")
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
# ISO 20022 external status reason codes are four letters or digits.
REASON_CODE: Final = re.compile(r"[A-Z0-9]{4}")
# Failures that paying again cannot fix: the account or payee must be
# corrected first (ISO 20022 codes: incorrect account number, closed
# account, blocked account, name does not match the account, account
# holder deceased, transaction forbidden on this account).
PERSON_REASONS: Final = frozenset({"AC01", "AC04", "AC06", "BE01", "MD07", "AG01"})
IMPORTABLE: Final = (RollStatus.EXPORTED, RollStatus.RECONCILED)
# The conflicts an import lists, by the code stored in ResultsImport.conflicts.
CONFLICT_LABELS: Final = {
    "already_paid": gettext_lazy("already recorded as paid"),
    "already_failed": gettext_lazy("already recorded as failed"),
    "reason_differs": gettext_lazy("already failed with another reason code"),
    "not_sent": gettext_lazy("not in the bank file (held)"),
}
BATCH: Final = 1000


class ResultsFileError(ValidationError):
    """The results file is malformed; nothing from it was recorded."""


@dataclass(frozen=True)
class Result:
    line_id: int
    paid: bool
    reason_code: str
    bank_reference: str


def import_results(
    roll: PaymentRoll, content: bytes, *, file_name: str, actor: User
) -> ResultsImport:
    """Record the bank's results for the roll's lines; see the module docstring."""
    require_district_role(actor, roll.district_code, DECIDING_ROLES)
    checksum = hashlib.sha256(content).hexdigest()
    previous = ResultsImport.objects.filter(roll=roll, checksum=checksum).first()
    if previous is not None:
        return previous
    results = parse_results(content)
    with transaction.atomic():
        locked = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
        if locked.status not in IMPORTABLE:
            raise ValidationError(
                _("Export the roll before importing results; it is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        record = _apply(locked, results, checksum, file_name, actor)
        _close_if_settled(locked)
    _audit(record, actor)
    return record


def parse_results(content: bytes) -> list[Result]:
    """Parse and check the whole file, or raise ResultsFileError naming the line."""
    if len(content) > MAX_FILE_BYTES:
        raise ResultsFileError(
            _("The file is larger than %(limit)s MB; split it.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ResultsFileError(
            _("The file is not UTF-8 text (byte %(position)s); save it as UTF-8.")
            % {"position": error.start}
        ) from error
    rows = list(csv.reader(io.StringIO(text)))
    _check_header(rows)
    results: list[Result] = []
    seen: set[int] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        result = _parse_row(number, row)
        if result.line_id in seen:
            raise _line_error(
                number, _("line id %(id)s appears twice") % {"id": result.line_id}
            )
        seen.add(result.line_id)
        results.append(result)
    return results


def _check_header(rows: list[list[str]]) -> None:
    if not rows or tuple(cell.strip() for cell in rows[0]) != HEADER:
        raise ResultsFileError(
            _("Line 1 must be the header %(header)s.") % {"header": ",".join(HEADER)}
        )


def _parse_row(number: int, row: list[str]) -> Result:
    if len(row) != len(HEADER):
        raise _line_error(
            number,
            _("expected %(expected)s columns, found %(found)s")
            % {"expected": len(HEADER), "found": len(row)},
        )
    line_id, status, reason, reference = (cell.strip() for cell in row)
    if not line_id.isdigit():
        raise _line_error(
            number, _("line id %(value)r is not a whole number") % {"value": line_id}
        )
    if status not in ("paid", "failed"):
        raise _line_error(
            number,
            _("status %(value)r must be paid or failed") % {"value": status},
        )
    paid = status == "paid"
    _check_reason(number, paid, reason)
    if paid and not reference:
        raise _line_error(number, _("a paid line needs its bank reference"))
    if len(reference) > 64:
        raise _line_error(number, _("the bank reference is longer than 64 characters"))
    return Result(int(line_id), paid, reason, reference)


def _check_reason(number: int, paid: bool, reason: str) -> None:
    if paid and reason:
        raise _line_error(
            number,
            _("a paid line has no reason code, found %(value)r") % {"value": reason},
        )
    if not paid and not REASON_CODE.fullmatch(reason):
        raise _line_error(
            number,
            _("reason code %(value)r is not a four-character ISO 20022 code")
            % {"value": reason},
        )


def _line_error(number: int, problem: str) -> ResultsFileError:
    return ResultsFileError(
        _("Line %(number)s: %(problem)s. Nothing from the file was recorded.")
        % {"number": number, "problem": problem}
    )


@dataclass
class _Tally:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0


def _apply(
    roll: PaymentRoll,
    results: list[Result],
    checksum: str,
    file_name: str,
    actor: User,
) -> ResultsImport:
    lines = {
        line.pk: line
        for line in PaymentLine.objects.filter(
            roll=roll, pk__in=[result.line_id for result in results]
        ).only("pk", "status", "retry_of_id", "reason_code", "bank_reference")
    }
    unknown = sorted(r.line_id for r in results if r.line_id not in lines)
    tally, conflicts, changed = _Tally(), [], []
    now = timezone.now()
    for result in results:
        line = lines.get(result.line_id)
        if line is None:
            continue
        outcome = _settle(line, result, now)
        if outcome == "changed":
            changed.append(line)
            tally.paid += result.paid
            tally.failed += not result.paid
        elif outcome == "unchanged":
            tally.unchanged += 1
        else:
            conflicts.append({"line_id": line.pk, "problem": outcome})
    PaymentLine.objects.bulk_update(
        changed,
        ["status", "reason_code", "bank_reference", "settled_at", "needs_person"],
        batch_size=BATCH,
    )
    return ResultsImport.objects.create(
        roll=roll,
        checksum=checksum,
        file_name=file_name[:255],
        imported_at=now,
        imported_by=actor,
        paid=tally.paid,
        failed=tally.failed,
        unchanged=tally.unchanged,
        unknown_line_ids=unknown,
        conflicts=conflicts,
    )


def _settle(line: PaymentLine, result: Result, now: datetime) -> str:
    """Apply one result to a line; return "changed", "unchanged" or the conflict."""
    status = LineStatus.PAID if result.paid else LineStatus.FAILED
    if line.status == status:
        same = line.reason_code == result.reason_code
        return "unchanged" if same else "reason_differs"
    if line.status in (LineStatus.PAID, LineStatus.FAILED):
        return f"already_{line.status}"
    if line.status != LineStatus.PENDING:
        return "not_sent"
    line.status, line.reason_code = status, result.reason_code
    line.bank_reference, line.settled_at = result.bank_reference, now
    line.needs_person = not result.paid and (
        result.reason_code in PERSON_REASONS or line.retry_of_id is not None
    )
    return "changed"


def _close_if_settled(roll: PaymentRoll) -> None:
    if roll.status == RollStatus.RECONCILED:
        return
    if roll.lines.filter(status=LineStatus.PENDING).exists():
        return
    roll.status, roll.reconciled_at = RollStatus.RECONCILED, timezone.now()
    roll.save()


def _audit(record: ResultsImport, actor: User) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="payments.results",
        object_id=record.pk,
        purpose=Purpose.CASE_WORK,
        record_count=record.paid + record.failed,
        checksum=record.checksum,
        detail={
            "roll": record.roll_id,
            "paid": record.paid,
            "failed": record.failed,
            "unknown": len(record.unknown_line_ids),
            "conflicts": len(record.conflicts),
        },
    )
    logger.info(
        "results %s for roll %s: %d paid, %d failed, %d unknown line ids",
        record.pk,
        record.roll_id,
        record.paid,
        record.failed,
        len(record.unknown_line_ids),
    )
