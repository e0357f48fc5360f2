"""Synthetic department feeds: files, formats, defects and reproducibility."""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
import pytest

from doudi.exchange.feeds import FEEDS
from doudi.exchange.reading import UnreadableFile, format_of, read_bytes
from doudi.exchange.validation import MissingColumns, prepare
from doudi.synth import SynthCity, generate_city
from doudi.synth.feed_context import PERSON
from doudi.synth.feed_defects import (
    DEFECT,
    DEFECT_RATES,
    DUPLICATE_COPY,
    NOT_AUTHORISED,
    NOT_AUTHORISED_MIN,
    NOT_AUTHORISED_SHARE,
)
from doudi.synth.feed_files import FileFormat
from doudi.synth.feeds import (
    FeedLayout,
    FeedReport,
    build_feeds,
    write_feeds,
)
from doudi.synth_demo import feed_layouts

AS_OF = date(2026, 6, 20)
MONTH = date(2026, 6, 1)
SEED = 11


@lru_cache(maxsize=2)
def _city(households: int = 3_000) -> SynthCity:
    return generate_city(households, SEED, AS_OF)


def _authorised(city: SynthCity) -> list[int]:
    """Every fifth household, so that authorised kinds have enough rows."""
    return [key for key in city.households["hh_key"].to_list() if key % 5 == 0]


@lru_cache(maxsize=1)
def _layouts() -> dict[str, FeedLayout]:
    return feed_layouts()


def _write(root: Path, households: int = 3_000) -> FeedReport:
    city = _city(households)
    return write_feeds(city, MONTH, _layouts(), _authorised(city), root)


def test_every_kind_and_format_written(tmp_path):
    report = _write(tmp_path)
    readable = [file for file in report.files if file.readable]
    assert {file.kind for file in readable} == set(FEEDS)
    assert {file.file_format for file in readable} == {f.value for f in FileFormat}
    assert all(file.status == "written" for file in report.files)
    for file in readable:
        parsed = read_bytes(file.path.read_bytes(), format_of(file.path.name))
        frame = prepare(parsed.frame, FEEDS[file.kind])
        assert frame.height == file.rows, file.path.name


def test_files_in_source_folders(tmp_path):
    report = _write(tmp_path)
    layouts = _layouts()
    for file in report.files:
        relative = file.path.relative_to(tmp_path)
        assert relative.parts[:2] == (layouts[file.kind].source, file.kind)
        assert relative.name.startswith(f"{file.kind}-2026-06-")


def test_gb18030_files_use_element_headers(tmp_path):
    report = _write(tmp_path)
    gb = [f for f in report.files if f.file_format == FileFormat.CSV_GB18030]
    assert gb
    for file in gb:
        data = file.path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        header = data.decode("gb18030").splitlines()[0]
        assert header.startswith("公民身份号码,姓名,出生日期")


def test_unreadable_files_rejected_by_reader(tmp_path):
    report = _write(tmp_path)
    unreadable = [file for file in report.files if not file.readable]
    assert sorted(file.kind for file in unreadable) == [
        "medical_claim",
        "school_enrolment",
        "utility_arrears",
    ]
    for file in unreadable:
        with pytest.raises((UnreadableFile, MissingColumns)):
            _read_and_prepare(file.path, file.kind)


def _read_and_prepare(path: Path, kind: str) -> pl.DataFrame:
    parsed = read_bytes(path.read_bytes(), format_of(path.name))
    return prepare(parsed.frame, FEEDS[kind])


def test_same_seed_same_bytes(tmp_path):
    first = _write(tmp_path / "a")
    second = _write(tmp_path / "b")
    names = [file.path.relative_to(tmp_path / "a") for file in first.files]
    assert names == [file.path.relative_to(tmp_path / "b") for file in second.files]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "b" / name
        ).read_bytes(), name


def test_other_seed_other_bytes(tmp_path):
    first = _write(tmp_path / "a")
    city = generate_city(3_000, SEED + 1, AS_OF)
    other = write_feeds(city, MONTH, _layouts(), _authorised(city), tmp_path / "b")
    first_bytes = {f.path.name: f.path.read_bytes() for f in first.files}
    other_bytes = {f.path.name: f.path.read_bytes() for f in other.files}
    assert (
        first_bytes["medical_claim-2026-06-1.parquet"]
        != (other_bytes["medical_claim-2026-06-1.parquet"])
    )


def test_rerun_does_not_rewrite(tmp_path):
    _write(tmp_path)
    again = _write(tmp_path)
    assert {file.status for file in again.files} == {"waiting"}


def test_delivered_files_not_written_again(tmp_path):
    first = _write(tmp_path)
    done = tmp_path / "done"
    done.mkdir()
    for number, file in enumerate(first.files, start=1):
        file.path.rename(done / f"{number}-{file.path.name}")
    again = _write(tmp_path)
    assert {file.status for file in again.files} == {"delivered"}
    assert not [path for path in tmp_path.rglob("*.csv") if done not in path.parents]


def _frames(households: int = 3_000) -> dict[str, pl.DataFrame]:
    city = _city(households)
    return build_feeds(city, MONTH, _layouts(), _authorised(city))


def _binomial_ok(observed: int, eligible: int, rate: float) -> bool:
    expected = eligible * rate
    return abs(observed - expected) <= 4 * math.sqrt(expected) + 2


def test_defect_rates_within_tolerance():
    frames = _frames(8_000)
    rows = pl.concat(
        [
            frame.select(
                pl.lit(kind).alias("kind"),
                DEFECT,
                pl.col("birth_date").dt.year().alias("year"),
            )
            for kind, frame in frames.items()
        ]
    ).filter(
        pl.col(DEFECT).is_null()
        | ~pl.col(DEFECT).is_in([NOT_AUTHORISED, DUPLICATE_COPY])
    )
    layouts = _layouts()
    monitoring = [
        kind for kind, layout in layouts.items() if not layout.needs_authorisation
    ]
    with_amounts = [
        kind
        for kind, layout in layouts.items()
        if any(spec.type == "amount" for spec in layout.fields)
    ]
    for defect, rate in DEFECT_RATES.items():
        eligible = rows
        if defect == "not_in_registry":
            eligible = rows.filter(pl.col("kind").is_in(monitoring))
        elif defect == "negative_amount":
            eligible = rows.filter(pl.col("kind").is_in(with_amounts))
        observed = int((eligible[DEFECT] == defect).sum())
        if defect == "legacy_id":
            # Only people born 1900-1999 can have a legacy ID; the count of the
            # others is not known after a defect blanks a birth date.
            born = eligible.filter(pl.col("year") <= 1999).height
            assert observed <= born * rate + 4 * math.sqrt(born * rate) + 2
            assert observed >= 0.5 * born * rate
            continue
        if defect == "negative_amount":
            assert 0.5 * eligible.height * rate <= observed, defect
            assert observed <= eligible.height * rate + 4 * math.sqrt(
                eligible.height * rate
            ), defect
            continue
        assert _binomial_ok(observed, eligible.height, rate), (
            defect,
            observed,
            eligible.height,
        )


def test_one_defect_per_row_and_copies_adjacent():
    for kind, frame in _frames().items():
        copies = frame.with_row_index("position").filter(
            pl.col(DEFECT) == DUPLICATE_COPY
        )
        for position in copies["position"].to_list():
            original = frame.row(position - 1, named=True)
            copy = frame.row(position, named=True)
            assert original[DEFECT] == "duplicate", kind
            assert {k: v for k, v in original.items() if k != DEFECT} == {
                k: v for k, v in copy.items() if k != DEFECT
            }


def test_clean_rows_match_registry():
    city = _city()
    people = city.persons.select(
        pl.col("person_key").alias(PERSON), "resident_id", "name", "birth_date"
    )
    for kind, frame in _frames().items():
        clean = frame.filter(pl.col(DEFECT).is_null()).select(
            PERSON, "resident_id", "name", "birth_date"
        )
        joined = clean.join(people, on=PERSON, suffix="_registry")
        assert joined.height == clean.height, kind
        for column in ("resident_id", "name", "birth_date"):
            assert (joined[column] == joined[f"{column}_registry"]).all(), (
                kind,
                column,
            )


def test_authorised_kinds_only_for_authorised():
    city = _city()
    authorised = set(_authorised(city))
    owner = city.persons.select(pl.col("person_key").alias(PERSON), "hh_key")
    for kind, frame in _frames().items():
        if not _layouts()[kind].needs_authorisation:
            assert frame.filter(pl.col(DEFECT) == NOT_AUTHORISED).height == 0
            continue
        rows = frame.join(owner, on=PERSON, suffix="_owner")
        inside = rows["hh_key_owner"].is_in(list(authorised))
        refused = (rows[DEFECT] == NOT_AUTHORISED).fill_null(False)
        assert (inside != refused).all(), kind
        kept = int(inside.sum())
        expected = max(NOT_AUTHORISED_MIN, round(kept * NOT_AUTHORISED_SHARE))
        assert abs(int(refused.sum()) - expected) <= 2, kind


def test_disability_certificates_match_facts():
    city = _city()
    facts = city.facts.filter(pl.col("kind") == "disability")
    frame = _frames()["disability_certificate"].filter(pl.col(DEFECT).is_null())
    joined = frame.join(
        facts.select(pl.col("person_key").alias(PERSON), "code", "grade", "reference"),
        on=PERSON,
    )
    assert joined.height == frame.height
    assert (joined["category"] == joined["code"]).all()
    assert (joined["grade"] == joined["grade_right"].cast(pl.Utf8)).all()
    assert (joined["certificate_number"] == joined["reference"]).all()


def test_feed_values_come_from_true_money():
    city = _city()
    wages = _frames()["wages_tax"].filter(pl.col(DEFECT).is_null())
    true = city.incomes.filter(pl.col("kind") == "wages").select(
        pl.col("person_key").alias(PERSON), "monthly_true_fen"
    )
    joined = wages.join(true, on=PERSON)
    assert joined.height == wages.height
    assert (joined["gross_wage"] == joined["monthly_true_fen"]).all()
    assert (joined["tax_paid"] < joined["gross_wage"]).all()


def test_dates_stay_within_the_month():
    frames = _frames()
    for kind, column in (
        ("medical_claim", "settled_on"),
        ("household_registration", "event_date"),
        ("marriage", "event_date"),
    ):
        frame = frames[kind].filter(pl.col(DEFECT).is_null())
        assert frame.height > 0, kind
        assert frame[column].is_between(MONTH, AS_OF).all(), kind


def test_month_after_as_of_rejected(tmp_path):
    city = _city()
    with pytest.raises(ValueError, match="after the city's as-of date"):
        write_feeds(city, date(2026, 7, 1), _layouts(), [], tmp_path)


def test_unknown_kind_rejected():
    city = _city()
    layout = _layouts()["marriage"]
    odd = FeedLayout("pets", "zoo", layout.fields, needs_authorisation=False)
    with pytest.raises(ValueError, match="No synthetic rows"):
        build_feeds(city, MONTH, {"pets": odd}, [])
