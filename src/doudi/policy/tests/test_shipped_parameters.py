"""The shipped parameter files: they load, and they hold the published figures."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.policy import (
    DEFAULT_DIRECTORY,
    ParameterNotFound,
    PolicyParameters,
    Precision,
    Quality,
)
from doudi.policy.schema import ADDON_CATEGORIES, SCHEMA

PARAMETERS = PolicyParameters.load()
OFFICIAL = Quality.OFFICIAL
SECONDARY = Quality.SECONDARY
DAY = Precision.DAY
MONTH = Precision.MONTH
YEAR = Precision.YEAR
IN_FORCE_ON = Precision.IN_FORCE_ON

# Every dated dibao standard of the published list, for the six cities with a
# file: (city, stored date, precision, yuan per person per month, quality).
PUBLISHED_STANDARDS = [
    ("Shanghai", date(2008, 4, 1), DAY, 400, SECONDARY),
    ("Shanghai", date(2012, 4, 1), DAY, 570, OFFICIAL),
    ("Shanghai", date(2019, 4, 28), IN_FORCE_ON, 1160, OFFICIAL),
    ("Shanghai", date(2021, 7, 1), DAY, 1330, OFFICIAL),
    ("Shanghai", date(2022, 1, 1), YEAR, 1420, SECONDARY),
    ("Shanghai", date(2025, 7, 1), DAY, 1650, SECONDARY),
    ("Beijing", date(2002, 1, 1), YEAR, 290, SECONDARY),
    ("Beijing", date(2011, 1, 1), YEAR, 480, OFFICIAL),
    ("Beijing", date(2012, 2, 7), IN_FORCE_ON, 520, OFFICIAL),
    ("Beijing", date(2015, 1, 1), YEAR, 710, OFFICIAL),
    ("Beijing", date(2020, 7, 1), MONTH, 1170, SECONDARY),
    ("Beijing", date(2021, 7, 1), MONTH, 1245, SECONDARY),
    ("Beijing", date(2022, 1, 1), YEAR, 1320, SECONDARY),
    ("Guangzhou", date(2022, 1, 1), YEAR, 1196, SECONDARY),
    ("Guangzhou", date(2023, 1, 1), YEAR, 1238, SECONDARY),
    ("Shenzhen", date(2017, 3, 1), DAY, 900, OFFICIAL),
    ("Shenzhen", date(2022, 1, 1), YEAR, 1365, SECONDARY),
    ("Hangzhou", date(2010, 7, 1), MONTH, 440, OFFICIAL),
    ("Hangzhou", date(2011, 6, 1), MONTH, 525, OFFICIAL),
    ("Hangzhou", date(2013, 7, 1), MONTH, 588, OFFICIAL),
    ("Hangzhou", date(2014, 12, 1), MONTH, 660, OFFICIAL),
    ("Hangzhou", date(2015, 11, 1), MONTH, 744, OFFICIAL),
    ("Hangzhou", date(2016, 7, 1), MONTH, 819, OFFICIAL),
    ("Hangzhou", date(2017, 11, 1), MONTH, 917, OFFICIAL),
    ("Zhongshan", date(2020, 1, 1), DAY, 1100, OFFICIAL),
    ("Zhongshan", date(2021, 1, 1), DAY, 1120, SECONDARY),
]

# Previous values that a source names for the day before a change whose date is
# exact to the day or month: (city, day before the change, yuan, quality).
PREVIOUS_STANDARDS = [
    ("Shanghai", date(2008, 3, 31), 350, SECONDARY),
    ("Shanghai", date(2021, 6, 30), 1240, OFFICIAL),
    ("Shanghai", date(2025, 6, 30), 1595, SECONDARY),
    ("Beijing", date(2020, 6, 30), 1100, SECONDARY),
    ("Shenzhen", date(2017, 2, 28), 800, OFFICIAL),
    ("Hangzhou", date(2010, 6, 30), 400, OFFICIAL),
    ("Zhongshan", date(2019, 12, 31), 1050, OFFICIAL),
]

CITY_FILES = [
    "beijing.yaml",
    "guangzhou.yaml",
    "hangzhou.yaml",
    "shanghai.yaml",
    "shenzhen.yaml",
    "zhongshan.yaml",
]


def test_every_shipped_file_is_loaded():
    shipped = sorted(path.name for path in DEFAULT_DIRECTORY.glob("*.yaml"))

    assert shipped == sorted([*CITY_FILES, "national.yaml"])
    assert PARAMETERS.cities() == [
        "Beijing",
        "Guangzhou",
        "Hangzhou",
        "Shanghai",
        "Shenzhen",
        "Zhongshan",
    ]


@pytest.mark.parametrize(
    ("city", "effective_from", "precision", "yuan", "quality"), PUBLISHED_STANDARDS
)
def test_published_standard_applies_from_its_date(
    city, effective_from, precision, yuan, quality
):
    value = PARAMETERS.get("dibao.standard", city=city, on=effective_from)

    assert value.value == Decimal(yuan)
    assert value.effective_from == effective_from
    assert value.precision is precision
    assert value.quality is quality
    assert value.source


@pytest.mark.parametrize(("city", "day", "yuan", "quality"), PREVIOUS_STANDARDS)
def test_previous_standard_is_in_force_on_day_before(city, day, yuan, quality):
    value = PARAMETERS.get("dibao.standard", city=city, on=day)

    assert value.value == Decimal(yuan)
    assert value.effective_from == day
    assert value.precision is Precision.IN_FORCE_ON
    assert value.quality is quality
    assert "Previous value" in value.note


def expected_standard(city: str, day: date) -> Decimal | None:
    """Return the standard on ``day`` computed from the two tables above."""
    entries = [(row[1], row[3]) for row in PUBLISHED_STANDARDS if row[0] == city]
    entries += [(row[1], row[2]) for row in PREVIOUS_STANDARDS if row[0] == city]
    applicable = [entry for entry in entries if entry[0] <= day]
    return Decimal(max(applicable)[1]) if applicable else None


@given(
    city=st.sampled_from(sorted({row[0] for row in PUBLISHED_STANDARDS})),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)),
)
def test_standard_is_latest_entry_not_after_day(city, day):
    expected = expected_standard(city, day)

    if expected is None:
        with pytest.raises(ParameterNotFound):
            PARAMETERS.get("dibao.standard", city=city, on=day)
    else:
        value = PARAMETERS.get("dibao.standard", city=city, on=day)
        assert value.value == expected
        assert value.effective_from <= day


def test_shanghai_standard_changes_on_2021_07_01():
    before = PARAMETERS.get("dibao.standard", city="Shanghai", on=date(2021, 6, 30))
    after = PARAMETERS.get("dibao.standard", city="Shanghai", on=date(2021, 7, 1))

    assert before.value == Decimal(1240)
    assert before.flags == ("date inexact (in force on 2021-06-30, start unknown)",)
    assert after.value == Decimal(1330)
    assert after.flags == ()


def test_shanghai_minor_standard():
    value = PARAMETERS.get("dibao.minor_standard", city="Shanghai", on=date(2021, 7, 1))

    assert value.value == Decimal(1730)
    assert "secondary source" in value.flags


def test_shanghai_disposable_income_for_2025():
    value = PARAMETERS.get(
        "income.local_disposable_per_capita_last_year",
        city="Shanghai",
        on=date(2025, 3, 1),
    )

    assert value.value == Decimal(88366)
    assert value.quality is Quality.SECONDARY
    assert value.unit == "yuan_per_person_year"


@pytest.mark.parametrize(
    ("district", "share", "published_yuan"),
    [
        ("330112", Decimal("0.85"), 780),
        ("330122", Decimal("0.80"), 734),
        ("330127", Decimal("0.80"), 734),
        ("330182", Decimal("0.80"), 734),
    ],
)
def test_hangzhou_county_share_gives_published_standard(
    district, share, published_yuan
):
    day = date(2018, 1, 1)
    standard = PARAMETERS.get("dibao.standard", city="Hangzhou", on=day)
    value = PARAMETERS.get(
        "dibao.district_share", city="Hangzhou", on=day, district=district
    )
    rounding = PARAMETERS.get(
        "rounding.derived", city="Hangzhou", on=day, district=district
    )

    assert value.value == share
    assert value.district == district
    assert rounding.value == "ceil_yuan"
    derived = (standard.as_decimal() * value.as_decimal()).quantize(
        Decimal(1), rounding=ROUND_CEILING
    )
    assert derived == published_yuan


def test_hangzhou_urban_district_pays_full_standard():
    value = PARAMETERS.get(
        "dibao.district_share", city="Hangzhou", on=date(2018, 1, 1), district="330106"
    )

    assert value.value == Decimal(1)
    assert value.district is None
    assert value.quality is Quality.OFFICIAL


def test_shenzhen_low_income_line_rounds_up_to_published():
    day = date(2022, 6, 1)
    standard = PARAMETERS.get("dibao.standard", city="Shenzhen", on=day)
    multiplier = PARAMETERS.get("edge.multiplier", city="Shenzhen", on=day)
    rounding = PARAMETERS.get("rounding.derived", city="Shenzhen", on=day)

    assert rounding.value == "ceil_yuan"
    assert rounding.quality is Quality.ASSUMED
    derived = (standard.as_decimal() * multiplier.as_decimal()).quantize(
        Decimal(1), rounding=ROUND_CEILING
    )
    assert derived == 2048


@pytest.mark.parametrize(
    ("day", "yuan"), [(date(2020, 1, 1), 440), (date(2021, 1, 1), 448)]
)
def test_zhongshan_addons(day, yuan):
    value = PARAMETERS.get("dibao.addons", city="Zhongshan", on=day)

    assert value.value == dict.fromkeys(ADDON_CATEGORIES, Decimal(yuan))


@pytest.mark.parametrize(
    ("city", "multiplier"),
    [
        ("Zhongshan", Decimal("1.6")),
        ("Guangzhou", Decimal("1.6")),
        ("Shenzhen", Decimal("1.6")),
        ("Shanghai", Decimal("1.3")),
    ],
)
def test_tekun_multiplier(city, multiplier):
    value = PARAMETERS.get("tekun.multiplier", city=city, on=date(2024, 1, 1))

    assert value.value == multiplier


def test_hangzhou_edge_multiplier_from_2022():
    value = PARAMETERS.get("edge.multiplier", city="Hangzhou", on=date(2022, 1, 1))

    assert value.value == Decimal(2)
    assert value.quality is Quality.SECONDARY


def test_hangzhou_edge_multiplier_missing_before_2022():
    # Hangzhou sets none before 2022, and the national figure starts in 2023.
    with pytest.raises(ParameterNotFound, match="first value 2022-01-01"):
        PARAMETERS.get("edge.multiplier", city="Hangzhou", on=date(2021, 12, 31))


def test_beijing_asset_rules():
    day_2013 = date(2013, 1, 1)
    day_2020 = date(2020, 1, 1)

    def get(name: str, day: date) -> object:
        return PARAMETERS.get(name, city="Beijing", on=day).value

    assert get("assets.financial_months", day_2013) == Decimal(24)
    assert get("assets.vehicle_allowed", day_2013) is False
    assert get("assets.vehicle_allowed_if_seriously_ill", day_2013) is False
    assert get("assets.vehicle_allowed_if_seriously_ill", day_2020) is True
    assert get("assets.max_homes", day_2013) == 1
    assert get("assets.floor_area_exception_m2", day_2020) == Decimal("34.2")


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("limits.survey_start", 3, "working_days"),
        ("limits.check_start", 3, "working_days"),
        ("limits.notice", 7, "calendar_days"),
        ("limits.decision", 10, "working_days"),
        ("limits.refusal_notice", 3, "working_days"),
        ("limits.case_total", 30, "working_days"),
        ("limits.case_total_delegated", 20, "working_days"),
        ("limits.case_total_special", 45, "working_days"),
        ("limits.tekun_survey", 15, "working_days"),
        ("limits.tekun_review", 15, "working_days"),
        ("review.stable_months", 12, "months"),
        ("review.irregular_months", 6, "months"),
        ("recheck.after_death_months", 3, "months"),
        ("exit.gradual_months", 6, "months"),
        ("work.refusals_limit", 3, "count"),
        ("rigid.determination_months", 12, "months"),
        ("minor.coverage_age", 18, "years"),
    ],
)
def test_national_time_limits(name, value, unit):
    result = PARAMETERS.get(name, city="Shanghai", on=date(2025, 6, 1))

    assert result.value == value
    assert result.unit == unit
    assert result.quality is Quality.NATIONAL_DEFAULT
    assert result.national_quality is Quality.OFFICIAL


def test_national_disregarded_income_kinds():
    dibao = PARAMETERS.get("income.disregarded", city="Beijing", on=date(2022, 1, 1))
    tekun = PARAMETERS.get(
        "tekun.income_disregarded", city="Beijing", on=date(2022, 1, 1)
    )

    assert dibao.as_str_list() == [
        "youfu",
        "family_planning_award",
        "scholarship",
        "brave_deed_award",
        "assistance",
        "residents_basic_pension_central",
    ]
    assert set(tekun.as_str_list()) == {
        *dibao.as_str_list(),
        "old_age_allowance",
        "social_insurance",
    }


def test_every_assumed_value_gives_a_reason():
    levels = [PARAMETERS.national]
    for city in PARAMETERS.cities():
        record = PARAMETERS.city_record(city)
        levels.append(record.parameters)
        levels.extend(district.parameters for district in record.districts.values())

    for histories in levels:
        for name, entries in histories.items():
            assert name in SCHEMA
            for entry in entries:
                if entry.quality is Quality.ASSUMED:
                    assert len(entry.note) > 20, f"{name} {entry.effective_from}"
