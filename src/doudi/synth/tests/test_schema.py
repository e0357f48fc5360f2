"""Column names and types, keys, and consistency between the frames."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from doudi.registry.resident_id import Sex, normalize, validate_consistency
from doudi.synth import SynthCity, calibration
from doudi.synth.tests.cities import AS_OF, city

EXPECTED_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "regions": {
        "code": pl.Utf8(),
        "name": pl.Utf8(),
        "level": pl.Utf8(),
        "parent_code": pl.Utf8(),
        "urban": pl.Boolean(),
    },
    "households": {
        "hh_key": pl.Int64(),
        "community_code": pl.Utf8(),
        "address": pl.Utf8(),
        "single_parent": pl.Boolean(),
        "lost_only_child": pl.Boolean(),
    },
    "persons": {
        "person_key": pl.Int64(),
        "hh_key": pl.Int64(),
        "relationship": pl.Utf8(),
        "name": pl.Utf8(),
        "sex": pl.Utf8(),
        "birth_date": pl.Date(),
        "resident_id": pl.Utf8(),
        "phone": pl.Utf8(),
        "hukou_type": pl.Utf8(),
        "hukou_nature": pl.Utf8(),
        "hukou_region_code": pl.Utf8(),
        "residence_status": pl.Utf8(),
        "member_since": pl.Date(),
    },
    "facts": {
        "person_key": pl.Int64(),
        "kind": pl.Utf8(),
        "code": pl.Utf8(),
        "grade": pl.Int8(),
        "reference": pl.Utf8(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
        "detail": pl.Utf8(),
    },
    "incomes": {
        "person_key": pl.Int64(),
        "kind": pl.Utf8(),
        "monthly_true_fen": pl.Int64(),
        "monthly_declared_fen": pl.Int64(),
    },
    "assets": {
        "hh_key": pl.Int64(),
        "kind": pl.Utf8(),
        "count": pl.Int32(),
        "value_true_fen": pl.Int64(),
        "value_declared_fen": pl.Int64(),
    },
    "truth": {
        "hh_key": pl.Int64(),
        "as_of": pl.Date(),
        "size": pl.Int32(),
        "per_capita_income_fen": pl.Int64(),
        "dibao": pl.Boolean(),
        "dibao_amount_fen": pl.Int64(),
        "tekun_persons": pl.Int32(),
        "edge": pl.Boolean(),
    },
}

FACT_CODES: dict[str, set[str]] = {
    "disability": set(calibration.DISABILITY_CATEGORY_SHARES),
    "illness": {"serious", "chronic"},
    "work_capacity": {"full", "partial", "none"},
    "employment": {
        "employed",
        "unemployed",
        "retired",
        "student",
        "not_in_labour_force",
    },
    "schooling": {
        "preschool",
        "primary",
        "junior_secondary",
        "senior_secondary",
        "vocational",
        "undergraduate",
        "postgraduate",
    },
    "living_alone": {"yes"},
    "care_level": {"self_care", "partly_dependent", "fully_dependent"},
    "released_prisoner": {"yes"},
    "unsupported_child": {"yes"},
    "migrant_in_difficulty": {"yes"},
}
ADL_ITEMS = {
    "eating",
    "dressing",
    "bathing",
    "toileting",
    "moving_indoors",
    "continence",
}


@pytest.fixture(scope="module")
def demo() -> SynthCity:
    return city()


def with_ages(persons: pl.DataFrame) -> pl.DataFrame:
    born = pl.col("birth_date")
    before_birthday = (born.dt.month() > AS_OF.month) | (
        (born.dt.month() == AS_OF.month) & (born.dt.day() > AS_OF.day)
    )
    age = AS_OF.year - born.dt.year() - before_birthday.cast(pl.Int32)
    return persons.with_columns(age.alias("age"))


@pytest.mark.parametrize("name", sorted(EXPECTED_SCHEMAS))
def test_frame_schema(demo: SynthCity, name: str) -> None:
    assert dict(getattr(demo, name).schema) == EXPECTED_SCHEMAS[name]


def test_keys_are_dense(demo: SynthCity) -> None:
    households, persons = demo.households, demo.persons
    assert households["hh_key"].to_list() == list(range(1, households.height + 1))
    assert persons["person_key"].to_list() == list(range(1, persons.height + 1))


def test_every_person_in_a_household(demo: SynthCity) -> None:
    keys = demo.households["hh_key"].implode()
    assert demo.persons.filter(~pl.col("hh_key").is_in(keys)).height == 0
    assert demo.persons["hh_key"].n_unique() == demo.households.height


def test_one_head_per_household(demo: SynthCity) -> None:
    heads = demo.persons.filter(pl.col("relationship") == "head")
    assert heads.height == demo.households.height
    assert heads["hh_key"].n_unique() == demo.households.height


def test_relationships_are_known(demo: SynthCity) -> None:
    known = {"head", "spouse", "child", "parent", "grandchild", "sibling", "other"}
    assert set(demo.persons["relationship"].unique()) <= known


def test_community_codes_exist(demo: SynthCity) -> None:
    communities = demo.regions.filter(pl.col("level") == "community")["code"]
    missing = demo.households.filter(
        ~pl.col("community_code").is_in(communities.implode())
    )
    assert missing.height == 0


def test_resident_ids_unique(demo: SynthCity) -> None:
    assert demo.persons["resident_id"].n_unique() == demo.persons.height


def test_resident_ids_valid_and_consistent(demo: SynthCity) -> None:
    columns = ("resident_id", "sex", "birth_date", "hukou_region_code")
    for resident_id, sex, born, region in demo.persons.select(columns).iter_rows():
        assert normalize(resident_id, today=AS_OF) == resident_id
        validate_consistency(resident_id, sex=Sex(sex), birth_date=born)
        assert resident_id[:6] == region


def test_local_registration_is_home_district(demo: SynthCity) -> None:
    locals_ = demo.persons.filter(pl.col("hukou_type") == "local").join(
        demo.households.select("hh_key", "community_code"), on="hh_key"
    )
    mismatched = locals_.filter(
        pl.col("hukou_region_code") != pl.col("community_code").str.slice(0, 6)
    )
    assert mismatched.height == 0
    assert set(locals_["residence_status"].unique()) == {"registered"}


def test_migrants_registered_elsewhere(demo: SynthCity) -> None:
    migrants = demo.persons.filter(pl.col("hukou_type") == "elsewhere")
    assert (
        migrants.filter(pl.col("hukou_region_code").str.starts_with("31")).height == 0
    )
    statuses = set(migrants["residence_status"].unique())
    assert statuses <= {"residence_permit", "temporary"}


def test_categorical_columns(demo: SynthCity) -> None:
    persons = demo.persons
    assert set(persons["sex"].unique()) == {"M", "F"}
    assert set(persons["hukou_type"].unique()) == {"local", "elsewhere"}
    assert set(persons["hukou_nature"].unique()) == {"urban", "rural"}


def test_ages_consistent_with_relationship(demo: SynthCity) -> None:
    persons = with_ages(demo.persons)
    heads = persons.filter(pl.col("relationship") == "head").select(
        "hh_key", pl.col("age").alias("head_age")
    )
    joined = persons.join(heads, on="hh_key")
    gap = pl.col("head_age") - pl.col("age")

    assert persons["age"].is_between(0, 100).all()
    assert (heads["head_age"] >= 18).all()
    assert joined.filter((pl.col("relationship") == "child") & (gap < 18)).height == 0
    assert joined.filter((pl.col("relationship") == "parent") & (gap > -18)).height == 0
    assert (
        joined.filter((pl.col("relationship") == "grandchild") & (gap < 36)).height == 0
    )
    assert (
        joined.filter(
            (pl.col("relationship") == "spouse") & (pl.col("age") < 18)
        ).height
        == 0
    )


def test_member_since_within_life(demo: SynthCity) -> None:
    persons = demo.persons
    assert persons.filter(pl.col("member_since") < pl.col("birth_date")).height == 0
    assert persons.filter(pl.col("member_since") > AS_OF).height == 0


def test_phones_are_mobile_numbers(demo: SynthCity) -> None:
    persons = with_ages(demo.persons)
    phones = persons["phone"].drop_nulls()
    assert phones.str.contains(r"^1[3-9][0-9]{9}$").all()
    assert (
        persons.filter((pl.col("age") < 12) & pl.col("phone").is_not_null()).height == 0
    )


def test_names_are_chinese(demo: SynthCity) -> None:
    names = demo.persons["name"]
    assert names.str.contains(r"^[\u4e00-\u9fff]{2,4}$").all()


def test_addresses_name_district_and_street(demo: SynthCity) -> None:
    names = dict(zip(demo.regions["code"], demo.regions["name"], strict=True))
    for code, address in (
        demo.households.select("community_code", "address").head(500).iter_rows()
    ):
        assert address.startswith("上海市" + names[code[:6]] + names[code[:9]])
        assert address.endswith(("室", "号"))


def test_single_parents_have_no_spouse(demo: SynthCity) -> None:
    single = demo.households.filter("single_parent").select("hh_key")
    spouses = demo.persons.filter(pl.col("relationship") == "spouse")
    assert single.height > 0
    assert spouses.join(single, on="hh_key").height == 0


def test_fact_kinds_and_codes(demo: SynthCity) -> None:
    facts = demo.facts
    assert set(facts["kind"].unique()) == set(FACT_CODES)
    for kind, codes in FACT_CODES.items():
        assert set(facts.filter(pl.col("kind") == kind)["code"].unique()) <= codes


def test_fact_persons_exist(demo: SynthCity) -> None:
    keys = demo.persons["person_key"].implode()
    assert demo.facts.filter(~pl.col("person_key").is_in(keys)).height == 0


def test_grades_only_on_disability(demo: SynthCity) -> None:
    facts = demo.facts
    disability = facts.filter(pl.col("kind") == "disability")
    assert disability["grade"].is_between(1, 4).all()
    assert facts.filter(pl.col("kind") != "disability")["grade"].null_count() == (
        facts.height - disability.height
    )


def test_certificate_number_format(demo: SynthCity) -> None:
    disability = demo.facts.filter(pl.col("kind") == "disability").join(
        demo.persons.select("person_key", "resident_id"), on="person_key"
    )
    digits = calibration.DISABILITY_CATEGORY_DIGITS
    for code, grade, reference, resident_id in disability.select(
        "code", "grade", "reference", "resident_id"
    ).iter_rows():
        assert reference == resident_id + digits[code] + str(grade)


def test_fact_dates(demo: SynthCity) -> None:
    facts = demo.facts.join(
        demo.persons.select("person_key", "birth_date"), on="person_key"
    )
    assert facts.filter(pl.col("valid_from") < pl.col("birth_date")).height == 0
    assert facts.filter(pl.col("valid_from") > AS_OF).height == 0
    assert facts["valid_to"].null_count() == facts.height


def test_fact_ages(demo: SynthCity) -> None:
    facts = demo.facts.join(
        with_ages(demo.persons).select("person_key", "age"), on="person_key"
    )
    capacity = facts.filter(pl.col("kind") == "work_capacity")
    employment = facts.filter(pl.col("kind") == "employment")
    assert capacity["age"].is_between(16, 59).all()
    assert (employment["age"] >= 16).all()
    assert (facts.filter(pl.col("kind") == "living_alone")["age"] >= 60).all()


def test_care_level_detail(demo: SynthCity) -> None:
    care = demo.facts.filter(pl.col("kind") == "care_level")
    assert care.height > 0
    for code, detail in care.select("code", "detail").head(2_000).iter_rows():
        items = json.loads(detail)
        assert set(items) == ADL_ITEMS
        failing = sum(items.values())
        if failing >= 4:
            assert code == "fully_dependent"
        elif failing >= 1:
            assert code == "partly_dependent"
        else:
            assert code == "self_care"


@pytest.mark.parametrize(
    ("name", "true_column", "declared_column"),
    [
        ("incomes", "monthly_true_fen", "monthly_declared_fen"),
        ("assets", "value_true_fen", "value_declared_fen"),
    ],
)
def test_declared_never_above_true(
    demo: SynthCity, name: str, true_column: str, declared_column: str
) -> None:
    frame = getattr(demo, name)
    assert frame.filter(pl.col(declared_column) > pl.col(true_column)).height == 0
    assert frame.filter(pl.col(declared_column) < 0).height == 0
    assert frame.filter(pl.col(true_column) < 0).height == 0


def test_declaration_defect_shares(demo: SynthCity) -> None:
    wages = demo.incomes.filter(pl.col("kind") == "wages")
    omitted = (wages["monthly_declared_fen"] == 0).mean()
    lowered = (
        (wages["monthly_declared_fen"] > 0)
        & (wages["monthly_declared_fen"] < wages["monthly_true_fen"])
    ).mean()
    assert omitted == pytest.approx(
        calibration.INCOME_OMISSION_SHARES["wages"], abs=0.01
    )
    assert lowered == pytest.approx(
        calibration.INCOME_UNDER_REPORT_SHARES["wages"], abs=0.015
    )


def test_kinds_of_money(demo: SynthCity) -> None:
    income_kinds = {"wages", "business", "property", "transfer", "pension"}
    asset_kinds = {"deposits", "securities", "insurance", "vehicle", "housing"}
    assert set(demo.incomes["kind"].unique()) == income_kinds
    assert set(demo.assets["kind"].unique()) == asset_kinds
    assert (demo.assets["count"] >= 1).all()


def test_every_household_has_deposits(demo: SynthCity) -> None:
    deposits = demo.assets.filter(pl.col("kind") == "deposits")
    assert deposits["hh_key"].n_unique() == demo.households.height


def test_truth_rows_match_households(demo: SynthCity) -> None:
    truth = demo.truth
    sizes = demo.persons.group_by("hh_key").agg(pl.len().alias("persons"))
    joined = truth.join(sizes, on="hh_key")
    assert truth["hh_key"].to_list() == demo.households["hh_key"].to_list()
    assert joined.filter(pl.col("size") != pl.col("persons")).height == 0
    assert set(truth["as_of"].unique()) == {date(2025, 9, 1)}


def test_facts_sorted_within_kind(demo: SynthCity) -> None:
    facts = demo.facts
    runs = facts["kind"].rle_id().n_unique()
    assert runs == facts["kind"].n_unique()
    for (kind,), group in facts.group_by("kind", maintain_order=True):
        assert group["person_key"].is_sorted(), kind
