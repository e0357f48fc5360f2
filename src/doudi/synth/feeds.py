"""Write a month of department feeds for a synthetic city into an inbox folder.

The feeds describe the same people as the registry load: same resident IDs,
names and birth dates, with values from the city's true incomes, assets and
facts. Files go to ``<root>/<source>/<kind>/<kind>-<YYYY-MM>-<part>.<ext>``
in the formats of ``KIND_FORMATS``, with the defects of ``feed_defects`` and
three files that cannot be read at all. Kinds that need an authorisation
carry rows of the authorised households only, plus a few rows of others,
which ingestion must refuse.

The caller passes each kind's columns (``FeedLayout``) so that this package
needs no Django; ``doudi.synth_demo`` builds them from the exchange schemas.
The same city, month, layouts and authorised households give byte-identical
files.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from doudi.synth.city import SynthCity
from doudi.synth.feed_context import PERSON, FeedContext, feed_context
from doudi.synth.feed_defects import (
    DEFECT,
    DUPLICATE_COPY,
    IDENTITY_FIELDS,
    NOT_AUTHORISED,
    OUTCOMES,
    FieldTypes,
    apply_defects,
    not_authorised_count,
)
from doudi.synth.feed_files import (
    EXTENSIONS,
    Column,
    FileFormat,
    file_bytes,
    file_frame,
    truncated_xlsx,
    utf16_csv,
    wrong_header_csv,
)
from doudi.synth.feed_rows import BUILDERS
from doudi.synth.streams import numpy_stream
from doudi.synth.truth import dibao_standard_fen

F = FileFormat
# The formats each kind is sent in. Its rows are split evenly across them.
KIND_FORMATS: Final[dict[str, tuple[FileFormat, ...]]] = {
    "household_registration": (F.CSV_GB18030,),
    "marriage": (F.CSV_UTF8,),
    "wages_tax": (F.PARQUET, F.CSV_UTF8),
    "social_insurance": (F.XLSX, F.CSV_GB18030),
    "unemployment": (F.XLSX,),
    "real_estate": (F.JSONL,),
    "vehicle": (F.CSV_GB18030,),
    "financial_asset": (F.JSONL, F.PARQUET),
    "business_registration": (F.XLSX,),
    "housing_fund": (F.CSV_UTF8,),
    "medical_claim": (F.PARQUET, F.CSV_UTF8),
    "disability_certificate": (F.CSV_GB18030,),
    "school_enrolment": (F.XLSX, F.CSV_GB18030),
    "utility_arrears": (F.CSV_UTF8, F.JSONL),
}
# The files that cannot be read, by kind: a truncated workbook, CSV in
# UTF-16 and CSV with wrong identity headers. Each repeats the kind's first
# UNREADABLE_ROWS rows.
UNREADABLE: Final = {
    "school_enrolment": "truncated_xlsx",
    "utility_arrears": "utf16_csv",
    "medical_claim": "wrong_header_csv",
}
UNREADABLE_ROWS: Final = 20
# Authorised households: those of the demo community, and those of the demo
# street whose declared income per person is below this multiple of the
# dibao standard, as households applying for assistance would be.
AUTHORISED_INCOME_MULTIPLE: Final = 1.5


@dataclass(frozen=True)
class FeedField:
    name: str
    element: str
    type: str
    required: bool


@dataclass(frozen=True)
class FeedLayout:
    """One feed kind: the sending source (inbox folder) and its columns."""

    kind: str
    source: str
    fields: tuple[FeedField, ...]
    needs_authorisation: bool


@dataclass(frozen=True)
class FeedFile:
    """A written file; ``status`` is written, waiting or delivered (skipped)."""

    path: Path
    kind: str
    file_format: str
    rows: int
    readable: bool
    status: str


@dataclass
class FeedReport:
    """The files written, and the place each row should end in after ingestion.

    ``outcomes`` counts rows by (kind, outcome) with the outcomes of
    ``feed_defects.OUTCOMES``, for readable files only. ``departed_rows``
    counts rows, outside the registration feed, of people whose death or
    move out of the city that feed reports this month.
    """

    month: date
    files: list[FeedFile] = field(default_factory=list)
    rows: Counter[str] = field(default_factory=Counter)
    defects: Counter[tuple[str, str]] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    departed_rows: int = 0


def build_feeds(
    city: SynthCity,
    month: date,
    layouts: Mapping[str, FeedLayout],
    authorised_households: Collection[int],
) -> dict[str, pl.DataFrame]:
    """Return each kind's rows, typed, with ``DEFECT`` labels, in file order."""
    context = feed_context(city, month)
    authorised = pl.Series(sorted(authorised_households), dtype=pl.Int64)
    return {
        kind: _kind_rows(context, layout, authorised)
        for kind, layout in sorted(layouts.items())
    }


def write_feeds(
    city: SynthCity,
    month: date,
    layouts: Mapping[str, FeedLayout],
    authorised_households: Collection[int],
    root: Path,
) -> FeedReport:
    """Write every kind's files for ``month`` under ``root``.

    A file whose bytes already wait in the inbox, or were delivered
    (``root/done`` or ``root/rejected`` contains ``<batch>-<name>`` with
    the same bytes), is not written again.
    """
    report = FeedReport(month.replace(day=1))
    frames = build_feeds(city, month, layouts, authorised_households)
    for kind, rows in frames.items():
        _count(report, kind, rows)
        for part, file_format in enumerate(KIND_FORMATS[kind], start=1):
            part_rows = rows.filter(pl.col("_file") == part - 1)
            if part_rows.height == 0:
                continue
            frame = file_frame(part_rows, _columns(layouts[kind]), file_format)
            name = f"{kind}-{month:%Y-%m}-{part}.{EXTENSIONS[file_format]}"
            report.files.append(
                _deliver(
                    root,
                    layouts[kind],
                    name,
                    file_bytes(frame, file_format),
                    file_format,
                    part_rows.height,
                    readable=True,
                )
            )
        if kind in UNREADABLE:
            report.files.append(_unreadable(root, layouts[kind], month, rows))
    report.departed_rows = _departed_rows(frames)
    return report


def demo_authorised_households(
    city: SynthCity, street_code: str, community_code: str
) -> list[int]:
    """Return the hh_keys of the households that signed an authorisation.

    These are every household of ``community_code``, and the households of
    ``street_code`` whose declared income per person is below
    AUTHORISED_INCOME_MULTIPLE times the dibao standard.
    """
    sizes = city.persons.group_by("hh_key").len()
    declared = (
        city.incomes.join(city.persons.select("person_key", "hh_key"), on="person_key")
        .group_by("hh_key")
        .agg(pl.col("monthly_declared_fen").sum())
    )
    communities = city.regions.filter(pl.col("parent_code") == street_code)["code"]
    line = dibao_standard_fen(city.as_of) * AUTHORISED_INCOME_MULTIPLE
    per_capita = pl.col("monthly_declared_fen").fill_null(0) / pl.col("len")
    chosen = (
        city.households.join(sizes, on="hh_key")
        .join(declared, on="hh_key", how="left")
        .filter(
            (pl.col("community_code") == community_code)
            | (
                pl.col("community_code").is_in(communities.implode())
                & (per_capita < line)
            )
        )
    )
    return sorted(chosen["hh_key"].to_list())


def _columns(layout: FeedLayout) -> list[Column]:
    return [Column(spec.name, spec.element, spec.type) for spec in layout.fields]


def _types(layout: FeedLayout) -> FieldTypes:
    fields = layout.fields
    return FieldTypes(
        required=tuple(spec.name for spec in fields if spec.required),
        amounts=tuple(spec.name for spec in fields if spec.type == "amount"),
        dates=tuple(
            spec.name
            for spec in fields
            if spec.required
            and spec.type in ("date", "month")
            and spec.name not in IDENTITY_FIELDS
        ),
        monitoring=not layout.needs_authorisation,
    )


def _kind_rows(
    context: FeedContext, layout: FeedLayout, authorised: pl.Series
) -> pl.DataFrame:
    kind = layout.kind
    if kind not in BUILDERS or kind not in KIND_FORMATS:
        raise ValueError(
            f"No synthetic rows are defined for feed kind {kind!r}; add a builder "
            "to doudi.synth.feed_rows and its formats to KIND_FORMATS."
        )
    stream = f"feeds:{context.start:%Y-%m}:{kind}"
    rows = _with_people(
        context, BUILDERS[kind](context, numpy_stream(context.city.seed, stream))
    )
    _check_columns(layout, rows)
    rng = numpy_stream(context.city.seed, stream + ":defects")
    if layout.needs_authorisation:
        rows = _authorised_only(rows, authorised, rng)
    clean = rows.filter(pl.col(DEFECT).is_null()).drop(DEFECT)
    unauthorised = rows.filter(pl.col(DEFECT).is_not_null())
    defective = apply_defects(
        clean, _types(layout), rng, context.as_of, context.people["resident_id"]
    )
    return _in_file_order(pl.concat([defective, unauthorised]), len(KIND_FORMATS[kind]))


def _with_people(context: FeedContext, rows: pl.DataFrame) -> pl.DataFrame:
    people = context.people.select(
        pl.col("person_key").alias(PERSON),
        "hh_key",
        "resident_id",
        "name",
        "birth_date",
        "region_code",
    )
    return (
        rows.join(people, on=PERSON, how="left", maintain_order="left")
        .sort(PERSON, maintain_order=True)
        .with_columns(pl.lit(None, dtype=pl.Utf8).alias(DEFECT))
    )


def _check_columns(layout: FeedLayout, rows: pl.DataFrame) -> None:
    missing = [spec.name for spec in layout.fields if spec.name not in rows.columns]
    if missing:
        raise ValueError(
            f"Feed kind {layout.kind!r} lists fields {', '.join(missing)} that the "
            "synthetic builder does not produce; add them to doudi.synth.feed_rows."
        )


def _authorised_only(
    rows: pl.DataFrame, authorised: pl.Series, rng: np.random.Generator
) -> pl.DataFrame:
    """Keep authorised households' rows and a few others, labelled NOT_AUTHORISED."""
    inside = pl.col("hh_key").is_in(authorised.implode())
    kept = rows.filter(inside)
    others = rows.filter(~inside)
    count = not_authorised_count(kept.height, others.height)
    picked = np.sort(rng.choice(others.height, size=count, replace=False))
    unauthorised = others[picked].with_columns(pl.lit(NOT_AUTHORISED).alias(DEFECT))
    return pl.concat([kept, unauthorised]).sort(PERSON, maintain_order=True)


def _in_file_order(rows: pl.DataFrame, files: int) -> pl.DataFrame:
    """Sort by person, keeping duplicate copies beside their row; assign files.

    The sort is stable, so each copy stays right after its row.
    """
    copy = (pl.col(DEFECT) == DUPLICATE_COPY).fill_null(False)
    rows = rows.with_columns(copy.alias("_copy")).sort(PERSON, maintain_order=True)
    originals = (~rows["_copy"]).cum_sum() - 1
    total = max(int((~rows["_copy"]).sum()), 1)
    part = (originals.clip(0) * files // total).cast(pl.Int64)
    return rows.with_columns(part.alias("_file")).drop("_copy")


def _count(report: FeedReport, kind: str, rows: pl.DataFrame) -> None:
    for defect, count in rows[DEFECT].value_counts().iter_rows():
        report.outcomes[(kind, OUTCOMES[defect])] += count
        if defect not in (None, DUPLICATE_COPY):
            report.defects[(kind, defect)] += count
    clean = rows.filter(
        pl.col(DEFECT).is_null()
        | ~pl.col(DEFECT).is_in([NOT_AUTHORISED, DUPLICATE_COPY])
    )
    report.rows[kind] += clean.height


def _departed_rows(frames: Mapping[str, pl.DataFrame]) -> int:
    events = frames.get("household_registration")
    if events is None:
        return 0
    departed = events.filter(pl.col("event").is_in(["death", "move_out"]))[PERSON]
    return sum(
        int(rows[PERSON].is_in(departed.implode()).sum())
        for kind, rows in frames.items()
        if kind != "household_registration"
    )


def _unreadable(
    root: Path, layout: FeedLayout, month: date, rows: pl.DataFrame
) -> FeedFile:
    how = UNREADABLE[layout.kind]
    sample = rows.filter(pl.col(DEFECT).is_null()).head(UNREADABLE_ROWS)
    if how == "truncated_xlsx":
        frame = file_frame(sample, _columns(layout), F.XLSX)
        data, file_format, extension = truncated_xlsx(frame), F.XLSX, "xlsx"
    elif how == "utf16_csv":
        frame = file_frame(sample, _columns(layout), F.CSV_UTF8)
        data, file_format, extension = utf16_csv(frame), F.CSV_UTF8, "csv"
    else:
        frame = file_frame(sample, _columns(layout), F.CSV_UTF8)
        data, file_format, extension = wrong_header_csv(frame), F.CSV_UTF8, "csv"
    name = f"{layout.kind}-{month:%Y-%m}-late.{extension}"
    return _deliver(
        root, layout, name, data, file_format, sample.height, readable=False
    )


def _deliver(
    root: Path,
    layout: FeedLayout,
    name: str,
    data: bytes,
    file_format: FileFormat,
    rows: int,
    *,
    readable: bool,
) -> FeedFile:
    folder = root / layout.source / layout.kind
    path = folder / name
    status = _status(root, path, data)
    if status == "written":
        folder.mkdir(parents=True, exist_ok=True)
        # Write under a name the inbox ignores, then rename, so that a run
        # processing the inbox never reads half a file.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)
    return FeedFile(path, layout.kind, file_format.value, rows, readable, status)


def _status(root: Path, path: Path, data: bytes) -> str:
    if path.is_file() and path.read_bytes() == data:
        return "waiting"
    for folder in (root / "done", root / "rejected"):
        for delivered in folder.glob(f"*-{path.name}"):
            if delivered.read_bytes() == data:
                return "delivered"
    return "written"
