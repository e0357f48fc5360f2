"""Read the HSDS tabular format: a zip of CSV files named as HSDS names them.

Each file is UTF-8 (a byte order mark is allowed) with a header row. Files
and columns that doudi does not store are listed as ignored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import PurePosixPath
from typing import Final

from django.utils.translation import gettext as _

from doudi.services.raw import RawCatalogue, RawRow, Source
from doudi.services.tables import BY_FILE, Table

# Limits that stop a small zip from unpacking into something huge.
MAX_UNPACKED_BYTES: Final = 200 * 1024 * 1024
MAX_FILES: Final = 100


def read_zip(content: bytes, file_name: str) -> RawCatalogue:
    catalogue = RawCatalogue()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        catalogue.problem(
            Source(file_name),
            "",
            _("The file is not a zip archive; send the CSV files zipped together."),
        )
        return catalogue
    with archive:
        members = _members(archive, catalogue, file_name)
        for member, table in members:
            _read_member(catalogue, archive, member, table)
    present = set(catalogue.rows) | {table.name for _member, table in members}
    for rows in catalogue.rows.values():
        for row in rows:
            row.lists = present
    return catalogue


def _members(
    archive: zipfile.ZipFile, catalogue: RawCatalogue, file_name: str
) -> list[tuple[zipfile.ZipInfo, Table]]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        catalogue.problem(
            Source(file_name),
            "",
            _(
                "The archive unpacks to more than %(files)d files or %(mib)d MiB; "
                "split it."
            )
            % {"files": MAX_FILES, "mib": MAX_UNPACKED_BYTES // (1024 * 1024)},
        )
        return []
    members = []
    for info in infos:
        table = BY_FILE.get(PurePosixPath(info.filename).name)
        if table is None:
            catalogue.ignored.add(info.filename)
        else:
            members.append((info, table))
    if not members:
        catalogue.problem(
            Source(file_name),
            "",
            _(
                "The archive has none of the HSDS files; name them like "
                "organizations.csv and services.csv."
            ),
        )
    return members


def _read_member(
    catalogue: RawCatalogue,
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    table: Table,
) -> None:
    name = PurePosixPath(member.filename).name
    try:
        text = archive.read(member).decode("utf-8-sig")
    except UnicodeDecodeError:
        catalogue.problem(
            Source(name), "", _("The file is not UTF-8 text; save it as UTF-8.")
        )
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    for column in header:
        if column not in table.header:
            catalogue.ignored.add(f"{name}: {column}")
    line = 2
    try:
        for record in reader:
            values = {key: record[key] for key in header if key in table.header}
            catalogue.add(table.name, RawRow(Source(name, line=line), values))
            line = reader.line_num + 1
    except csv.Error as error:
        catalogue.problem(
            Source(name, line=line),
            "",
            _("The CSV is malformed: %(reason)s.") % {"reason": error},
        )
