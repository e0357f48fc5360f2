"""Same seed and size give identical frames; another seed gives others."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest

from doudi.synth import SynthCity, generate_city
from doudi.synth.tests.cities import AS_OF

FRAMES = ("regions", "households", "persons", "facts", "incomes", "assets", "truth")


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="uncompressed", statistics=False)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def twins() -> tuple[SynthCity, SynthCity]:
    return generate_city(1_500, 7, AS_OF), generate_city(1_500, 7, AS_OF)


@pytest.mark.parametrize("name", FRAMES)
def test_same_seed_equal_frames(twins: tuple[SynthCity, SynthCity], name: str) -> None:
    first, second = twins
    assert getattr(first, name).equals(getattr(second, name))


@pytest.mark.parametrize("name", FRAMES)
def test_same_seed_identical_bytes(
    twins: tuple[SynthCity, SynthCity], name: str
) -> None:
    first, second = twins
    assert parquet_bytes(getattr(first, name)) == parquet_bytes(getattr(second, name))


@pytest.fixture(scope="module")
def other_seed() -> SynthCity:
    return generate_city(1_500, 8, AS_OF)


@pytest.mark.parametrize(
    "name", ["households", "persons", "facts", "incomes", "assets"]
)
def test_other_seed_differs(
    twins: tuple[SynthCity, SynthCity], other_seed: SynthCity, name: str
) -> None:
    assert not getattr(twins[0], name).equals(getattr(other_seed, name))


def test_city_records_seed_and_date(twins: tuple[SynthCity, SynthCity]) -> None:
    assert twins[0].seed == 7
    assert twins[0].as_of == AS_OF


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="households"):
        generate_city(0, 1, AS_OF)
    with pytest.raises(ValueError, match="seed"):
        generate_city(10, -1, AS_OF)
    with pytest.raises(ValueError, match="future"):
        generate_city(10, 1, date(9999, 1, 1))
    with pytest.raises(ValueError, match="dibao standard"):
        generate_city(10, 1, date(2020, 1, 1))
