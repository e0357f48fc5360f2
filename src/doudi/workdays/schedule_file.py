"""Read and check the CSV file of a year's official holiday schedule.

The file is UTF-8 text with the header ``date,kind,name`` and one line per
special day: ``2027-02-06,holiday,春节`` or ``2027-02-14,working_day,春节``.
Every problem is reported with its line number, so the administrator can fix
the whole file at once.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.workdays.models import DayKind

HEADER = ("date", "kind", "name")
# A year has at most 366 days, so a real schedule file is a few kilobytes.
MAX_FILE_BYTES = 64 * 1024
MAX_NAME_LENGTH = 100
WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


@dataclass(frozen=True)
class ScheduleRow:
    day: date
    kind: DayKind
    name: str
    line: int = field(compare=False)


@dataclass(frozen=True)
class LineError:
    """A problem in the file, with ``line`` None when it concerns the whole file."""

    line: int | None
    message: str


class ScheduleFileInvalid(Exception):
    """Raised when the file cannot be loaded. ``errors`` lists every problem."""

    def __init__(self, errors: list[LineError]):
        super().__init__("; ".join(_format(error) for error in errors))
        self.errors = errors


def _format(error: LineError) -> str:
    if error.line is None:
        return error.message
    return _("line %(line)d: %(message)s") % {
        "line": error.line,
        "message": error.message,
    }


def parse_schedule(year: int, data: bytes) -> list[ScheduleRow]:
    """Return the special days of `year` in the file, sorted by date.

    Raises ScheduleFileInvalid listing every problem found.
    """
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ScheduleFileInvalid([LineError(None, _no_days_message(year))])
    lines = text.split("\n")
    errors: list[LineError] = []
    header = _split(lines[0])
    if header is None or [value.lower() for value in header] != list(HEADER):
        errors.append(LineError(1, _header_message(lines[0])))
    rows = _read_rows(year, lines[1:], errors)
    if not rows and not errors:
        errors.append(LineError(None, _no_days_message(year)))
    if errors:
        raise ScheduleFileInvalid(errors)
    return sorted(rows, key=lambda row: row.day)


def content_hash(rows: list[ScheduleRow], source: str) -> str:
    """Return the SHA-256 of the days and source, independent of line order."""
    lines = sorted(f"{row.day.isoformat()},{row.kind},{row.name}" for row in rows)
    text = "\n".join([source, *lines])
    return hashlib.sha256(text.encode()).hexdigest()


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        message = _(
            "The file has %(size)d bytes, more than the limit of %(limit)d: "
            "upload only the schedule of one year."
        ) % {"size": len(data), "limit": MAX_FILE_BYTES}
        raise ScheduleFileInvalid([LineError(None, message)])
    try:
        # utf-8-sig also accepts the byte order mark that spreadsheets write.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The file is not UTF-8 text: save it as CSV UTF-8 and try again.")
        raise ScheduleFileInvalid([LineError(None, message)]) from None


def _split(line: str) -> list[str] | None:
    try:
        fields = next(csv.reader([line]), [])
    except csv.Error:
        return None
    return [value.strip() for value in fields]


def _read_rows(
    year: int, lines: list[str], errors: list[LineError]
) -> list[ScheduleRow]:
    rows: list[ScheduleRow] = []
    first_seen: dict[date, int] = {}
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        row = _read_row(year, number, _split(line), errors)
        if row is None:
            continue
        if row.day in first_seen:
            errors.append(LineError(number, _twice_message(row.day, first_seen)))
            continue
        first_seen[row.day] = number
        rows.append(row)
    return rows


def _read_row(
    year: int, number: int, fields: list[str] | None, errors: list[LineError]
) -> ScheduleRow | None:
    if fields is None or len(fields) != len(HEADER):
        errors.append(LineError(number, _columns_message(fields)))
        return None
    problems: list[str] = []
    day = _check_date(year, fields[0], problems)
    kind = _check_kind(fields[1], problems)
    name = _check_name(fields[2], problems)
    if day is not None and kind == DayKind.WORKING_DAY and day.weekday() < 5:
        problems.append(_weekday_message(day))
    errors.extend(LineError(number, problem) for problem in problems)
    if day is None or kind is None or name is None or problems:
        return None
    return ScheduleRow(day, kind, name, number)


def _check_date(year: int, text: str, problems: list[str]) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD, such as %(example)s.")
            % {"value": text, "example": f"{year}-01-01"}
        )
        return None
    if day.year != year:
        problems.append(
            _(
                "%(date)s is not in %(year)d: list only days of %(year)d, or load "
                "this file for %(other)d."
            )
            % {"date": day.isoformat(), "year": year, "other": day.year}
        )
        return None
    return day


def _check_kind(text: str, problems: list[str]) -> DayKind | None:
    if text.lower() in DayKind.values:
        return DayKind(text.lower())
    problems.append(
        _("“%(value)s” is not a kind of day: write holiday or working_day.")
        % {"value": text}
    )
    return None


def _check_name(text: str, problems: list[str]) -> str | None:
    if not text:
        problems.append(_("The name is missing: name the holiday, such as 春节."))
        return None
    if len(text) > MAX_NAME_LENGTH:
        problems.append(
            _("The name has %(length)d characters: shorten it to %(limit)d.")
            % {"length": len(text), "limit": MAX_NAME_LENGTH}
        )
        return None
    return text


def _header_message(found: str) -> str:
    return _("The first line is “%(found)s”: it must be the header date,kind,name.") % {
        "found": found[:80]
    }


def _no_days_message(year: int) -> str:
    return _(
        "The file lists no days: add one line per holiday and adjusted working "
        "day of %(year)d."
    ) % {"year": year}


def _columns_message(fields: list[str] | None) -> str:
    found = len(fields) if fields is not None else 0
    return _(
        "The line has %(found)d values: write 3 values, date,kind,name, "
        "separated by commas."
    ) % {"found": found}


def _twice_message(day: date, first_seen: dict[date, int]) -> str:
    return _(
        "%(date)s is listed twice, first on line %(first)d: keep one of the lines."
    ) % {"date": day.isoformat(), "first": first_seen[day]}


def _weekday_message(day: date) -> str:
    return _(
        "%(date)s is a %(weekday)s, which is a working day already: an adjusted "
        "working day must be a Saturday or Sunday. Check the date, or write "
        "holiday if the day is a rest day."
    ) % {"date": day.isoformat(), "weekday": WEEKDAY_NAMES[day.weekday()]}
