"""A 20,000-household city matches the calibration targets within tolerance.

Shares must be within calibration.SHARE_TOLERANCE (2 percentage points).
Disability prevalence and the urban median income must be within
calibration.RELATIVE_TOLERANCE (10 %).
"""

from __future__ import annotations

import polars as pl
import pytest

from doudi.synth import SynthCity, calibration
from doudi.synth.tests.cities import AS_OF, city

SHARE = calibration.SHARE_TOLERANCE
RELATIVE = calibration.RELATIVE_TOLERANCE


@pytest.fixture(scope="module")
def demo() -> SynthCity:
    return city()


def ages(persons: pl.DataFrame) -> pl.Series:
    born = pl.col("birth_date")
    before_birthday = (born.dt.month() > AS_OF.month) | (
        (born.dt.month() == AS_OF.month) & (born.dt.day() > AS_OF.day)
    )
    age = AS_OF.year - born.dt.year() - before_birthday.cast(pl.Int32)
    return persons.select(age.alias("age"))["age"]


def test_age_group_shares(demo: SynthCity) -> None:
    age = ages(demo.persons)
    generated = {
        "0-14": (age < 15).mean(),
        "15-59": ((age >= 15) & (age < 60)).mean(),
        "60+": (age >= 60).mean(),
    }
    for group, target in calibration.AGE_GROUP_SHARES.items():
        assert generated[group] == pytest.approx(target, abs=SHARE), group


def test_share_aged_65_and_over(demo: SynthCity) -> None:
    share = (ages(demo.persons) >= 65).mean()
    assert share == pytest.approx(calibration.AGE_65_PLUS_SHARE, abs=SHARE)


def test_male_share(demo: SynthCity) -> None:
    share = (demo.persons["sex"] == "M").mean()
    assert share == pytest.approx(calibration.MALE_SHARE, abs=SHARE)


def test_migrant_share(demo: SynthCity) -> None:
    share = (demo.persons["hukou_type"] == "elsewhere").mean()
    assert share == pytest.approx(calibration.MIGRANT_SHARE, abs=SHARE)


def test_household_size_shares(demo: SynthCity) -> None:
    sizes = demo.persons.group_by("hh_key").len()["len"]
    for size, target in calibration.HOUSEHOLD_SIZE_SHARES.items():
        assert (sizes == size).mean() == pytest.approx(target, abs=SHARE), size


def test_mean_household_size(demo: SynthCity) -> None:
    mean = demo.persons.height / demo.households.height
    assert mean == pytest.approx(calibration.MEAN_HOUSEHOLD_SIZE, rel=RELATIVE)


def test_disability_prevalence(demo: SynthCity) -> None:
    disabled = demo.facts.filter(pl.col("kind") == "disability").height
    prevalence = disabled / demo.persons.height
    assert prevalence == pytest.approx(calibration.DISABILITY_PREVALENCE, rel=RELATIVE)


def test_disability_category_shares(demo: SynthCity) -> None:
    codes = demo.facts.filter(pl.col("kind") == "disability")["code"]
    for category, target in calibration.DISABILITY_CATEGORY_SHARES.items():
        assert (codes == category).mean() == pytest.approx(target, abs=SHARE), category


def test_severe_disability_share(demo: SynthCity) -> None:
    grades = demo.facts.filter(pl.col("kind") == "disability")["grade"]
    share = (grades <= 2).mean()
    assert share == pytest.approx(calibration.SEVERE_DISABILITY_SHARE, abs=SHARE)


def test_serious_illness_prevalence(demo: SynthCity) -> None:
    serious = demo.facts.filter(
        (pl.col("kind") == "illness") & (pl.col("code") == "serious")
    ).height
    prevalence = serious / demo.persons.height
    # About 570 people at this size, so the tolerance is twice the usual one.
    assert prevalence == pytest.approx(
        calibration.SERIOUS_ILLNESS_PREVALENCE, rel=2 * RELATIVE
    )


def test_unemployment_rate(demo: SynthCity) -> None:
    codes = demo.facts.filter(pl.col("kind") == "employment")["code"]
    employed = int((codes == "employed").sum())
    unemployed = int((codes == "unemployed").sum())
    rate = unemployed / (employed + unemployed)
    assert rate == pytest.approx(calibration.UNEMPLOYMENT_RATE, abs=0.01)


def test_urban_median_income(demo: SynthCity) -> None:
    urban = demo.households.join(
        demo.regions.select(pl.col("code").alias("community_code"), "urban"),
        on="community_code",
    ).filter("urban")
    per_person = (
        demo.persons.select("hh_key")
        .join(urban.select("hh_key"), on="hh_key")
        .join(demo.truth.select("hh_key", "per_capita_income_fen"), on="hh_key")
    )
    median_fen = per_person["per_capita_income_fen"].median()
    assert isinstance(median_fen, float)
    median_yuan = median_fen / 100
    assert median_yuan == pytest.approx(
        calibration.URBAN_MEDIAN_MONTHLY_INCOME_YUAN, rel=RELATIVE
    )
