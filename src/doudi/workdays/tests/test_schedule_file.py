"""Checks of the schedule CSV file: every problem with its line and fix."""

from __future__ import annotations

from datetime import date

import pytest

from doudi.workdays.models import DayKind
from doudi.workdays.schedule_file import (
    MAX_FILE_BYTES,
    LineError,
    ScheduleFileInvalid,
    content_hash,
    parse_schedule,
)
from doudi.workdays.tests.conftest import csv_file


def _errors(year: int, data: bytes) -> list[LineError]:
    with pytest.raises(ScheduleFileInvalid) as raised:
        parse_schedule(year, data)
    return raised.value.errors


def test_example_file_parses(example_2027):
    rows = parse_schedule(2027, example_2027)

    assert len(rows) == 33
    assert rows[0].day == date(2027, 1, 1)
    assert rows[0].kind == DayKind.HOLIDAY
    assert rows[0].name == "元旦"
    assert sum(row.kind == DayKind.WORKING_DAY for row in rows) == 6


def test_rows_sorted_by_date():
    rows = parse_schedule(
        2027, csv_file("2027-10-01,holiday,国庆节", "2027-01-01,holiday,元旦")
    )

    assert [row.day for row in rows] == [date(2027, 1, 1), date(2027, 10, 1)]
    assert [row.line for row in rows] == [3, 2]


def test_byte_order_mark_and_crlf_accepted():
    data = "\ufeffdate,kind,name\r\n2027-01-01,holiday,元旦\r\n".encode()

    assert parse_schedule(2027, data)[0].day == date(2027, 1, 1)


def test_holiday_on_weekend_accepted():
    # 2027-01-02 is a Saturday: still a rest day, listed as part of 元旦.
    rows = parse_schedule(2027, csv_file("2027-01-02,holiday,元旦"))

    assert rows[0].kind == DayKind.HOLIDAY


def test_date_outside_year():
    [error] = _errors(2027, csv_file("2028-01-01,holiday,元旦"))

    assert error.line == 2
    assert "2028-01-01 is not in 2027" in error.message
    assert "load this file for 2028" in error.message


def test_date_listed_twice():
    [error] = _errors(
        2027, csv_file("2027-01-01,holiday,元旦", "2027-01-01,holiday,元旦")
    )

    assert error.line == 3
    assert "2027-01-01 is listed twice, first on line 2" in error.message


def test_adjusted_working_day_on_weekday():
    [error] = _errors(2027, csv_file("2027-02-10,working_day,春节"))

    assert error.line == 2
    assert "2027-02-10 is a Wednesday" in error.message
    assert "must be a Saturday or Sunday" in error.message


def test_unknown_kind():
    [error] = _errors(2027, csv_file("2027-01-01,rest,元旦"))

    assert "“rest” is not a kind of day" in error.message
    assert "holiday or working_day" in error.message


def test_invalid_date():
    [error] = _errors(2027, csv_file("2027/01/01,holiday,元旦"))

    assert "“2027/01/01” is not a date" in error.message
    assert "YYYY-MM-DD" in error.message


def test_missing_name():
    [error] = _errors(2027, csv_file("2027-01-01,holiday,"))

    assert "name is missing" in error.message


def test_wrong_number_of_values():
    [error] = _errors(2027, csv_file("2027-01-01,holiday"))

    assert "has 2 values" in error.message


def test_wrong_header():
    errors = _errors(
        2027, b"day,type,label\n2027-01-01,holiday,\xe5\x85\x83\xe6\x97\xa6\n"
    )

    assert errors[0].line == 1
    assert "must be the header date,kind,name" in errors[0].message


def test_every_problem_reported_at_once():
    errors = _errors(
        2027,
        csv_file("2026-12-31,holiday,元旦", "2027-01-01,rest,元旦", "", "bad"),
    )

    assert [error.line for error in errors] == [2, 3, 5]


def test_empty_file():
    [error] = _errors(2027, b"")

    assert error.line is None
    assert "lists no days" in error.message


def test_header_only():
    [error] = _errors(2027, b"date,kind,name\n")

    assert "lists no days" in error.message


def test_not_utf8():
    [error] = _errors(2027, "date,kind,name\n2027-01-01,holiday,元旦".encode("gbk"))

    assert "not UTF-8" in error.message


def test_too_large():
    [error] = _errors(2027, b"x" * (MAX_FILE_BYTES + 1))

    assert "more than the limit" in error.message


def test_content_hash_ignores_line_order():
    forward = parse_schedule(
        2027, csv_file("2027-01-01,holiday,元旦", "2027-01-02,holiday,元旦")
    )
    backward = parse_schedule(
        2027, csv_file("2027-01-02,holiday,元旦", "2027-01-01,holiday,元旦")
    )

    assert content_hash(forward, "source") == content_hash(backward, "source")
    assert content_hash(forward, "source") != content_hash(forward, "other")
