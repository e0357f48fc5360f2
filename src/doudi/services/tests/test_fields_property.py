"""Field parsers: any input gives a value or a FieldError, and times round-trip."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.services import fields, hsds_out
from doudi.services.tables import TABLES

PARSERS = sorted(
    {(column.name, column.parse) for table in TABLES for column in table.columns},
    key=lambda pair: pair[0],
)
ANY_VALUE = st.one_of(
    st.text(max_size=80),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@pytest.mark.parametrize(("name", "parse"), PARSERS, ids=[n for n, _ in PARSERS])
@given(value=ANY_VALUE)
def test_parser_returns_or_raises_field_error(name, parse, value):
    if fields.is_empty(value):
        return
    try:
        parse(value)
    except fields.FieldError as error:
        message = str(error)
    else:
        message = "parsed"
    assert message


@given(
    moment=st.times().map(lambda t: time(t.hour, t.minute)),
    offset=st.integers(min_value=-12, max_value=14),
)
def test_written_time_reads_back(moment, offset):
    text = hsds_out._clock(moment, offset)

    parsed, minutes = fields.clock(text)

    assert parsed == moment
    assert minutes == offset * 60


@given(
    days=st.lists(
        st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
        min_size=1,
        max_size=7,
        unique=True,
    ),
    ordinal=st.sampled_from(["", "1", "-1", "+2"]),
)
def test_weekday_lists_normalise(days, ordinal):
    text = ", ".join(f"{ordinal}{day}".lower() for day in days)

    parsed = fields.weekdays(text)

    assert parsed.split(",") == [f"{ordinal}{day}" for day in days]


@given(degrees=st.decimals(min_value=-90, max_value=90, places=6))
def test_coordinates_keep_six_places(degrees):
    assert fields.coordinate(90)(str(degrees)) == degrees
    assert fields.coordinate(90)(float(degrees)) == degrees
