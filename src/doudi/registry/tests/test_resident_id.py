"""Tests for resident ID parsing, validation and generation.

All IDs are synthetic: random region codes, dates and sequence numbers, plus the two
worked examples printed in GB 11643-1999.
"""

from __future__ import annotations

import pickle
import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.registry.resident_id import (
    EARLIEST_BIRTH_DATE,
    PROVINCE_CODES,
    InvalidReason,
    InvalidResidentId,
    Sex,
    birth_date,
    check_character,
    generate,
    mask,
    normalize,
    sex,
    to_legacy15,
    validate_consistency,
)

TODAY = date(2025, 6, 30)
ID_CHARACTERS = "0123456789X"


def reference_check_character(body17: str) -> str:
    """Compute the check character with the recursive ISO 7064 MOD 11-2 method.

    This is a different algorithm from the weighted sum in the module under test, so
    the two implementations check each other.
    """
    remainder = 0
    for digit in body17:
        remainder = (remainder + int(digit)) * 2 % 11
    value = (12 - remainder) % 11
    return "X" if value == 10 else str(value)


def make_id(region: str, born: date, sequence: int) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + reference_check_character(body)


def with_check(body17: str) -> str:
    return body17 + reference_check_character(body17)


@st.composite
def bodies(
    draw: st.DrawFn,
    min_date: date = EARLIEST_BIRTH_DATE,
    max_date: date = TODAY,
) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    county = draw(st.integers(min_value=0, max_value=9999))
    born = draw(st.dates(min_value=min_date, max_value=max_date))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return f"{province}{county:04d}{born:%Y%m%d}{sequence:03d}"


valid_ids = bodies().map(with_check)
region_codes = st.builds(
    lambda province, county: f"{province}{county:04d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(min_value=0, max_value=9999),
)


def reason_of(raw: str, *, today: date = TODAY) -> InvalidReason:
    with pytest.raises(InvalidResidentId) as caught:
        normalize(raw, today=today)
    return caught.value.reason


# Valid IDs and check characters


def test_check_character_standard_examples() -> None:
    # The worked examples printed in GB 11643-1999.
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


@given(bodies())
def test_check_character_matches_reference(body: str) -> None:
    assert check_character(body) == reference_check_character(body)


@pytest.mark.parametrize("body", ["1101051949123100", "110105194912310021"])
def test_check_character_rejects_wrong_length(body: str) -> None:
    with pytest.raises(InvalidResidentId) as caught:
        check_character(body)
    assert caught.value.reason == InvalidReason.WRONG_LENGTH


def test_check_character_rejects_non_digit() -> None:
    with pytest.raises(InvalidResidentId) as caught:
        check_character("1101051949123100X")
    assert caught.value.reason == InvalidReason.BAD_CHARACTER


@given(valid_ids)
def test_valid_id_normalizes_to_itself(resident_id: str) -> None:
    assert normalize(resident_id, today=TODAY) == resident_id


def test_normalize_defaults_to_current_date() -> None:
    resident_id = make_id("110105", date.today(), 123)
    assert normalize(resident_id) == resident_id


def test_leap_day_in_leap_year_accepted() -> None:
    resident_id = make_id("110105", date(2000, 2, 29), 123)
    assert normalize(resident_id, today=TODAY) == resident_id


def test_earliest_birth_date_accepted() -> None:
    resident_id = make_id("440524", EARLIEST_BIRTH_DATE, 1)
    assert normalize(resident_id, today=TODAY) == resident_id


def test_birth_date_today_accepted() -> None:
    resident_id = make_id("110105", TODAY, 1)
    assert normalize(resident_id, today=TODAY) == resident_id


# Error detection by the check character


@given(valid_ids)
def test_single_substitution_rejected(resident_id: str) -> None:
    for position, original in enumerate(resident_id):
        for replacement in ID_CHARACTERS:
            if replacement == original:
                continue
            changed = resident_id[:position] + replacement + resident_id[position + 1 :]
            with pytest.raises(InvalidResidentId):
                normalize(changed, today=TODAY)


@given(valid_ids)
def test_adjacent_swap_rejected(resident_id: str) -> None:
    for position in range(17):
        first, second = resident_id[position], resident_id[position + 1]
        if first == second:
            continue
        swapped = resident_id[:position] + second + first + resident_id[position + 2 :]
        with pytest.raises(InvalidResidentId):
            normalize(swapped, today=TODAY)


# Legacy 15-digit IDs


@given(bodies(min_date=date(1900, 1, 1), max_date=date(1999, 12, 31)))
def test_legacy15_round_trip(body: str) -> None:
    legacy = body[:6] + body[8:]
    canonical = normalize(legacy, today=TODAY)
    assert canonical == with_check(body)
    assert to_legacy15(canonical) == legacy


def test_to_legacy15_rejects_2000s_birth() -> None:
    with pytest.raises(ValueError, match="1900 to 1999"):
        to_legacy15(make_id("110105", date(2001, 3, 4), 123))


def test_legacy15_with_x_rejected() -> None:
    assert reason_of("11010549123100X") == InvalidReason.BAD_CHARACTER


# Normalisation of typed input


def test_full_width_digits_converted() -> None:
    resident_id = make_id("110105", date(1987, 6, 5), 432)
    typed = resident_id.translate(
        {ord(d): ord(d) - ord("0") + ord("０") for d in "0123456789"}
    )
    assert normalize(typed, today=TODAY) == resident_id


def test_full_width_x_converted() -> None:
    resident_id = with_check("11010519491231002")
    assert resident_id.endswith("X")
    assert normalize(resident_id[:17] + "Ｘ", today=TODAY) == resident_id
    assert normalize(resident_id[:17] + "ｘ", today=TODAY) == resident_id


def test_lower_case_x_converted() -> None:
    assert normalize("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_spaces_and_hyphens_removed() -> None:
    resident_id = make_id("310104", date(1975, 11, 20), 818)
    typed = f"  {resident_id[:6]} {resident_id[6:14]}-{resident_id[14:]}\u3000\n"
    assert normalize(typed, today=TODAY) == resident_id


def test_full_width_hyphen_removed() -> None:
    resident_id = make_id("310104", date(1975, 11, 20), 818)
    typed = f"{resident_id[:6]}－{resident_id[6:14]}－{resident_id[14:]}"
    assert normalize(typed, today=TODAY) == resident_id


# Each rejection reason


@pytest.mark.parametrize("raw", ["", "   ", "1101051949123100", "1101051949123100211"])
def test_wrong_length_rejected(raw: str) -> None:
    assert reason_of(raw) == InvalidReason.WRONG_LENGTH


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002A",
        "1101051949123100.X",
        "110105194912310X21",
        # Arabic-Indic digit one: str.isdigit() accepts it, the ID format does not.
        "11010519491231002\u0661",
    ],
)
def test_bad_character_rejected(raw: str) -> None:
    assert reason_of(raw) == InvalidReason.BAD_CHARACTER


def test_bad_character_message_names_position() -> None:
    with pytest.raises(InvalidResidentId, match="'A' as character 18"):
        normalize("11010519491231002A", today=TODAY)


def test_bad_checksum_rejected() -> None:
    assert reason_of("110105194912310021") == InvalidReason.BAD_CHECKSUM


def test_bad_checksum_message_names_characters() -> None:
    with pytest.raises(InvalidResidentId) as caught:
        normalize("110105194912310021", today=TODAY)
    assert "should be X" in caught.value.message
    assert "but 1 was given" in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        "00000000000000000",
        "11111111111111111",
        "99999999999999999",
        "12345678901234567",
        "98765432109876543",
    ],
)
def test_placeholder_rejected(body: str) -> None:
    assert reason_of(with_check(body)) == InvalidReason.PLACEHOLDER


@pytest.mark.parametrize(
    "raw", ["000000000000000", "111111111111111", "123456789012345"]
)
def test_placeholder_legacy15_rejected(raw: str) -> None:
    assert reason_of(raw) == InvalidReason.PLACEHOLDER


@pytest.mark.parametrize(
    "born",
    ["19990229", "20010230", "19871301", "19870001", "19870100", "00000101"],
)
def test_impossible_birth_date_rejected(born: str) -> None:
    assert reason_of(with_check(f"110105{born}123")) == InvalidReason.BAD_BIRTH_DATE


def test_birth_before_1880_rejected() -> None:
    resident_id = make_id("110105", EARLIEST_BIRTH_DATE - timedelta(days=1), 123)
    assert reason_of(resident_id) == InvalidReason.BAD_BIRTH_DATE


def test_future_birth_date_rejected() -> None:
    resident_id = make_id("110105", TODAY + timedelta(days=1), 123)
    assert reason_of(resident_id) == InvalidReason.FUTURE_BIRTH_DATE


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "47", "72", "84", "99"])
def test_bad_region_rejected(province: str) -> None:
    resident_id = make_id(f"{province}0105", date(1987, 6, 5), 432)
    assert reason_of(resident_id) == InvalidReason.BAD_REGION


@pytest.mark.parametrize(
    "raw",
    [
        "110105198706054",
        "1101051987060543",
        "11010519870605432",
        "1101051987060543X1",
        "110105198706054329",
        "990105198706054320",
        "110105199902290011",
        "110105209906050011",
    ],
)
def test_error_message_omits_id(raw: str) -> None:
    with pytest.raises(InvalidResidentId) as caught:
        normalize(raw, today=TODAY)
    digits = raw.replace("X", "")
    assert digits[:15] not in caught.value.message
    assert digits[-15:] not in caught.value.message


def test_error_survives_pickling() -> None:
    with pytest.raises(InvalidResidentId) as caught:
        normalize("110105194912310021", today=TODAY)
    restored = pickle.loads(pickle.dumps(caught.value))  # noqa: S301
    assert restored.reason == InvalidReason.BAD_CHECKSUM
    assert str(restored) == str(caught.value)


# Sex, birth date and consistency


def test_sex_odd_digit_is_male() -> None:
    assert sex(make_id("110105", date(1987, 6, 5), 431)) == Sex.MALE


def test_sex_even_digit_is_female() -> None:
    assert sex(make_id("110105", date(1987, 6, 5), 430)) == Sex.FEMALE


@given(bodies())
def test_birth_date_decoded(body: str) -> None:
    born = birth_date(with_check(body))
    assert f"{born:%Y%m%d}" == body[6:14]


def test_consistency_accepts_matching_record() -> None:
    resident_id = make_id("110105", date(1987, 6, 5), 431)
    validate_consistency(resident_id, sex=Sex.MALE, birth_date=date(1987, 6, 5))


def test_consistency_skips_missing_values() -> None:
    validate_consistency(make_id("110105", date(1987, 6, 5), 431))


def test_consistency_detects_sex_mismatch() -> None:
    resident_id = make_id("110105", date(1987, 6, 5), 431)
    with pytest.raises(InvalidResidentId) as caught:
        validate_consistency(resident_id, sex=Sex.FEMALE)
    assert caught.value.reason == InvalidReason.SEX_MISMATCH
    assert resident_id not in caught.value.message
    assert mask(resident_id) in caught.value.message


def test_consistency_detects_birth_date_mismatch() -> None:
    resident_id = make_id("110105", date(1987, 6, 5), 431)
    with pytest.raises(InvalidResidentId) as caught:
        validate_consistency(resident_id, birth_date=date(1987, 6, 6))
    assert caught.value.reason == InvalidReason.BIRTH_DATE_MISMATCH
    assert "19870605" not in caught.value.message


# Masking


def test_mask_hides_birth_date() -> None:
    assert mask("11010519491231002X") == "110105********002X"


@given(valid_ids)
def test_mask_keeps_length(resident_id: str) -> None:
    assert len(mask(resident_id)) == 18


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", "1101051949123100", "110105 19491231002X"]
)
def test_mask_rejects_non_canonical(raw: str) -> None:
    with pytest.raises(InvalidResidentId):
        mask(raw)


# Synthetic ID generation


@given(
    region_codes,
    st.dates(min_value=EARLIEST_BIRTH_DATE, max_value=TODAY),
    st.sampled_from(list(Sex)),
    st.integers(min_value=0, max_value=2**32),
)
def test_generate_output_valid(
    region_code: str, born: date, person_sex: Sex, seed: int
) -> None:
    resident_id = generate(
        random.Random(seed), region_code=region_code, born=born, sex=person_sex
    )
    assert normalize(resident_id, today=TODAY) == resident_id
    assert resident_id.startswith(region_code)
    assert birth_date(resident_id) == born
    assert sex(resident_id) == person_sex


def test_generate_reproducible_from_seed() -> None:
    def draw(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [
            generate(rng, region_code="320102", born=date(1990, 1, 1), sex=Sex.FEMALE)
            for _ in range(20)
        ]

    assert draw(7) == draw(7)
    assert len(set(draw(7))) > 1


def test_generate_covers_sequence_range() -> None:
    rng = random.Random(1)
    sequences = {
        int(
            generate(rng, region_code="320102", born=date(1990, 1, 1), sex=Sex.MALE)[
                14:17
            ]
        )
        for _ in range(20_000)
    }
    assert sequences == set(range(1, 1000, 2))


@pytest.mark.parametrize("region_code", ["99010", "990105", "11010A", "1101055"])
def test_generate_rejects_bad_region(region_code: str) -> None:
    with pytest.raises(ValueError, match="region_code"):
        generate(
            random.Random(1),
            region_code=region_code,
            born=date(1990, 1, 1),
            sex=Sex.MALE,
        )


@pytest.mark.parametrize(
    "born", [EARLIEST_BIRTH_DATE - timedelta(days=1), date.today() + timedelta(days=1)]
)
def test_generate_rejects_bad_birth_date(born: date) -> None:
    with pytest.raises(ValueError, match="born"):
        generate(random.Random(1), region_code="110105", born=born, sex=Sex.MALE)
