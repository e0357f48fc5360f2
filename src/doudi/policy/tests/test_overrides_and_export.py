"""Reform overrides with PolicyParameters.with_overrides, and export with to_yaml."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from doudi.policy import DEFAULT_DIRECTORY, PolicyParameters, Precision, Quality

SHIPPED = PolicyParameters.load()
REFORM_DAY = date(2026, 1, 1)

# Days on which the round-trip test compares every parameter of every level.
SAMPLE_DAYS = [date(year, month, 1) for year in range(2000, 2031) for month in (1, 7)]


def test_override_does_not_change_original():
    reformed = SHIPPED.with_overrides(
        {"dibao.standard": [(REFORM_DAY, Decimal(1800))]}, city="Shanghai"
    )

    original = SHIPPED.get("dibao.standard", city="Shanghai", on=REFORM_DAY)
    changed = reformed.get("dibao.standard", city="Shanghai", on=REFORM_DAY)

    assert original.value == Decimal(1650)
    assert changed.value == Decimal(1800)
    assert changed.quality is Quality.REFORM
    assert changed.source == "reform"
    assert changed.precision is Precision.DAY
    assert changed.flags == ("reform value",)


def test_override_keeps_earlier_entries():
    reformed = SHIPPED.with_overrides(
        {"dibao.standard": [(REFORM_DAY, Decimal(1800))]}, city="Shanghai"
    )

    value = reformed.get("dibao.standard", city="Shanghai", on=date(2025, 12, 31))

    assert value.value == Decimal(1650)
    assert value.quality is Quality.SECONDARY


def test_override_replaces_later_entries():
    reformed = SHIPPED.with_overrides(
        {"dibao.standard": [(date(2021, 1, 1), 1300), (date(2024, 1, 1), 1500)]},
        city="Shanghai",
    )

    def standard(day: date) -> object:
        return reformed.get("dibao.standard", city="Shanghai", on=day).value

    assert standard(date(2020, 12, 31)) == Decimal(1160)
    assert standard(date(2022, 6, 1)) == Decimal(1300)
    assert standard(date(2025, 8, 1)) == Decimal(1500)


def test_override_in_district():
    reformed = SHIPPED.with_overrides(
        {"dibao.district_share": [(REFORM_DAY, Decimal("0.9"))]},
        city="Hangzhou",
        district="330112",
    )

    lin_an = reformed.get(
        "dibao.district_share", city="Hangzhou", on=REFORM_DAY, district="330112"
    )
    tonglu = reformed.get(
        "dibao.district_share", city="Hangzhou", on=REFORM_DAY, district="330122"
    )
    before = reformed.get(
        "dibao.district_share", city="Hangzhou", on=date(2025, 1, 1), district="330112"
    )

    assert lin_an.value == Decimal("0.9")
    assert lin_an.district == "330112"
    assert tonglu.value == Decimal("0.80")
    assert before.value == Decimal("0.85")


def test_override_adds_new_district():
    reformed = SHIPPED.with_overrides(
        {"dibao.district_share": [(REFORM_DAY, Decimal("0.95"))]},
        city="Shanghai",
        district="310151",
    )

    value = reformed.get(
        "dibao.district_share", city="Shanghai", on=REFORM_DAY, district="310151"
    )

    assert value.value == Decimal("0.95")
    assert reformed.districts("Shanghai") == ["310151"]
    assert SHIPPED.districts("Shanghai") == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"dibao.standrd": [(REFORM_DAY, 1800)]}, "did you mean 'dibao.standard'"),
        ({"dibao.standard": [(REFORM_DAY, 1800.0)]}, "floats are inexact"),
        ({"dibao.standard": [(REFORM_DAY, "1800")]}, "expected a number"),
        ({"dibao.standard": []}, "at least one"),
        (
            {"dibao.standard": [(REFORM_DAY, 1800), (REFORM_DAY, 1900)]},
            "two values for 2026-01-01",
        ),
        ({"limits.decision": [(REFORM_DAY, Decimal(5))]}, "expected a whole number"),
    ],
)
def test_invalid_override_raises(overrides, fragment):
    with pytest.raises(ValueError, match=fragment):
        SHIPPED.with_overrides(overrides, city="Shanghai")


def write_directory(directory: Path, exported: dict[str, str]) -> None:
    directory.mkdir()
    shutil.copy(DEFAULT_DIRECTORY / "national.yaml", directory / "national.yaml")
    for city, text in exported.items():
        (directory / f"{city.lower()}.yaml").write_text(text, encoding="utf-8")


def assert_same_values(first: PolicyParameters, second: PolicyParameters) -> None:
    assert first.cities() == second.cities()
    for city in first.cities():
        districts = first.districts(city)
        assert districts == second.districts(city)
        for day in SAMPLE_DAYS:
            assert first.resolve(city, day, districts) == second.resolve(
                city, day, districts
            )


def test_to_yaml_round_trips_every_city(tmp_path):
    exported = {city: SHIPPED.to_yaml(city) for city in SHIPPED.cities()}
    write_directory(tmp_path / "exported", exported)

    reloaded = PolicyParameters.load(tmp_path / "exported")

    assert_same_values(SHIPPED, reloaded)
    for city in SHIPPED.cities():
        assert reloaded.city_record(city) == SHIPPED.city_record(city)
        assert reloaded.to_yaml(city) == exported[city]


def test_to_yaml_round_trips_reform(tmp_path):
    reformed = SHIPPED.with_overrides(
        {
            "dibao.standard": [(REFORM_DAY, Decimal("1800.50"))],
            "dibao.payment_mode": [(REFORM_DAY, "tiered")],
            "dibao.tiers": [
                (
                    REFORM_DAY,
                    [
                        {
                            "up_to_share_of_standard": Decimal("0.5"),
                            "pays_share": Decimal(1),
                        },
                        {
                            "up_to_share_of_standard": Decimal(1),
                            "pays_share": Decimal("0.5"),
                        },
                    ],
                )
            ],
        },
        city="Shanghai",
        district="310115",
    )
    exported = {city: reformed.to_yaml(city) for city in reformed.cities()}
    write_directory(tmp_path / "reform", exported)

    reloaded = PolicyParameters.load(tmp_path / "reform")

    assert_same_values(reformed, reloaded)
    tiers = reloaded.get(
        "dibao.tiers", city="Shanghai", on=REFORM_DAY, district="310115"
    )
    assert tiers.quality is Quality.REFORM
    assert tiers.value == [
        {"up_to_share_of_standard": Decimal("0.5"), "pays_share": Decimal(1)},
        {"up_to_share_of_standard": Decimal(1), "pays_share": Decimal("0.5")},
    ]


def test_override_with_own_source_and_quality():
    reformed = SHIPPED.with_overrides(
        {"dibao.standard": [(REFORM_DAY, Decimal(1800))]},
        city="Shanghai",
        source="沪民规〔2025〕9号",
        quality=Quality.OFFICIAL,
        note="Approved in doudi as change 3 on 2025-12-01.",
    )

    value = reformed.get("dibao.standard", city="Shanghai", on=REFORM_DAY)

    assert value.source == "沪民规〔2025〕9号"
    assert value.quality is Quality.OFFICIAL
    assert value.note == "Approved in doudi as change 3 on 2025-12-01."
    assert value.flags == ()


@pytest.mark.parametrize(
    ("origin", "fragment"),
    [
        ({"source": "  "}, "needs a source"),
        ({"quality": Quality.NATIONAL_DEFAULT}, "national_default"),
        ({"quality": Quality.ASSUMED}, "assumed override needs a note"),
    ],
)
def test_invalid_override_origin_raises(origin, fragment):
    with pytest.raises(ValueError, match=fragment):
        SHIPPED.with_overrides(
            {"dibao.standard": [(REFORM_DAY, Decimal(1800))]},
            city="Shanghai",
            **origin,
        )


def test_to_yaml_round_trips_sourced_override(tmp_path):
    reformed = SHIPPED.with_overrides(
        {"dibao.standard": [(REFORM_DAY, Decimal(1800))]},
        city="Shanghai",
        source="沪民规〔2025〕9号",
        quality=Quality.OFFICIAL,
        note="Approved in doudi as change 3 on 2025-12-01.",
    )
    write_directory(tmp_path / "sourced", {"Shanghai": reformed.to_yaml("Shanghai")})

    reloaded = PolicyParameters.load(tmp_path / "sourced")

    assert reloaded.city_record("Shanghai") == reformed.city_record("Shanghai")
