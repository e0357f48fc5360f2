"""Rows read from an import file before validation, and the problems found.

Both readers, JSON and CSV, produce the same flat HSDS tables, so one
validator and one writer serve both formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.translation import gettext as _

# An import that finds more problems than this lists the first ones only.
MAX_PROBLEMS: Final = 200


@dataclass(frozen=True)
class Source:
    """The origin of a row: the file, and a line (CSV) or a JSON path."""

    file: str
    line: int | None = None
    path: str = ""

    def __str__(self) -> str:
        if self.line is not None:
            return _("%(file)s line %(line)d") % {"file": self.file, "line": self.line}
        if self.path:
            return f"{self.file} {self.path}"
        return self.file


@dataclass(frozen=True)
class Problem:
    source: Source
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return _("%(where)s, field %(field)s: %(message)s") % {
                "where": self.source,
                "field": self.field,
                "message": self.message,
            }
        return f"{self.source}: {self.message}"


@dataclass
class RawRow:
    """One record's fields as read, and the child tables it lists in full.

    A field that the file leaves out is absent from `values`, which leaves
    the stored value as it is. A child table in `lists` (a JSON list, or a
    CSV file in the archive) is complete for this record, so the import
    deletes the record's stored children that it does not name.
    """

    source: Source
    values: dict[str, Any]
    lists: set[str] = field(default_factory=set)


@dataclass
class RawCatalogue:
    """The rows of each HSDS table, by table name, with what could not be read."""

    rows: dict[str, list[RawRow]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ignored: set[str] = field(default_factory=set)

    def add(self, table: str, row: RawRow) -> None:
        self.rows.setdefault(table, []).append(row)

    def problem(self, source: Source, field_name: str, message: str) -> None:
        self.problems.append(Problem(source, field_name, message))
