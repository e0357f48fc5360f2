"""Parse, validate and generate Chinese resident identity numbers (GB 11643-1999).

An 18-character resident ID starts with a 6-digit administrative region code, an
8-digit birth date (YYYYMMDD) and a 3-digit sequence number. The last sequence digit is
odd for men and even for women. The 18th character is a check character computed with
ISO 7064 MOD 11-2 over the first 17 digits. Legacy 15-character IDs have a 2-digit
birth year and no check character.

This module does not import Django, so the synthetic-city generator and offline tools
can use it. Error messages never contain the full ID because they may end up in logs.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import date
from enum import StrEnum
from typing import Final, NoReturn


class Sex(StrEnum):
    """Sex encoded by the 17th digit of a resident ID (odd for male)."""

    MALE = "M"
    FEMALE = "F"


class InvalidReason(StrEnum):
    """Machine-readable cause of an `InvalidResidentId` error."""

    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTER = "bad_character"
    BAD_CHECKSUM = "bad_checksum"
    BAD_BIRTH_DATE = "bad_birth_date"
    FUTURE_BIRTH_DATE = "future_birth_date"
    BAD_REGION = "bad_region"
    PLACEHOLDER = "placeholder"
    SEX_MISMATCH = "sex_mismatch"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"


class InvalidResidentId(ValueError):
    """Resident ID that failed validation.

    `reason` is the machine-readable cause. The message describes the problem and the
    fix, and it never contains the full ID.
    """

    def __init__(self, reason: InvalidReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[InvalidResidentId], tuple[InvalidReason, str]]:
        # The default pickling would call __init__ with the message alone.
        return (type(self), (self.reason, self.message))


EARLIEST_BIRTH_DATE: Final = date(1880, 1, 1)

# Province-level region codes, which are the accepted first two digits.
PROVINCE_CODES: Final = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
        91,
    )
)

# ISO 7064 MOD 11-2: the digit at 0-based position i has weight 2^(17-i) mod 11, and
# the weighted sum modulo 11 indexes this string to give the check character.
_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARACTERS: Final = "10X98765432"

_DIGITS: Final = frozenset("0123456789")
_ID_CHARACTERS: Final = frozenset("0123456789X")
_CANONICAL_PATTERN: Final = re.compile(r"[0-9]{17}[0-9X]")

# Full-width digits and X become ASCII, lower-case x becomes X, and hyphens are
# removed. Whitespace is removed separately with str.split().
_NORMALIZE_TABLE: Final[dict[int, int | None]] = {
    **{ord("０") + digit: ord("0") + digit for digit in range(10)},
    ord("Ｘ"): ord("X"),
    ord("ｘ"): ord("X"),
    ord("x"): ord("X"),
    ord("-"): None,
    ord("－"): None,  # full-width hyphen-minus
    ord("\u2010"): None,  # hyphen
    ord("\u2011"): None,  # non-breaking hyphen
}


def normalize(raw: str, *, today: date | None = None) -> str:
    """Validate a resident ID as typed and return its canonical 18-character form.

    Surrounding and inner whitespace and hyphens are removed, full-width digits and X
    become ASCII, and a lower-case x becomes X. A legacy 15-digit ID is converted to
    18 characters by inserting "19" before its 2-digit year and appending the check
    character.

    Raises InvalidResidentId for a wrong length or character, a placeholder ID, an
    unknown province code, a birth date that is not a real date, before 1880-01-01 or
    after `today` (default: the current local date), and a wrong check character.
    """
    text = "".join(raw.split()).translate(_NORMALIZE_TABLE)
    _check_characters(text)

    if len(text) == 18:
        body, given_check = text[:17], text[17]
    elif len(text) == 15:
        body, given_check = text[:6] + "19" + text[6:], None
    else:
        _raise_wrong_length(len(text))

    _check_x_position(text)

    # A legacy ID is checked in its 15-digit form because the inserted "19" would
    # break a run such as 111111111111111.
    if _is_placeholder(text[:17]):
        raise InvalidResidentId(
            InvalidReason.PLACEHOLDER,
            "Resident ID is a placeholder, not a real ID, because its digits before "
            "the check character are all equal or a running sequence. Enter the "
            "person's real ID.",
        )

    _check_region(body)
    _check_birth_date(body, date.today() if today is None else today)

    expected_check = _compute_check_character(body)
    if given_check is not None and given_check != expected_check:
        raise InvalidResidentId(
            InvalidReason.BAD_CHECKSUM,
            f"Resident ID check character should be {expected_check} for the first "
            f"17 digits, but {given_check} was given. Compare each character with the "
            "ID document, because a typo in any digit changes the check character.",
        )
    return body + expected_check


def check_character(body17: str) -> str:
    """Compute the ISO 7064 MOD 11-2 check character (0-9 or X) for 17 digits."""
    if len(body17) != 17:
        raise InvalidResidentId(
            InvalidReason.WRONG_LENGTH,
            f"Resident ID body has {len(body17)} characters, but the check character "
            "is computed from exactly 17 digits.",
        )
    if not _DIGITS.issuperset(body17):
        raise InvalidResidentId(
            InvalidReason.BAD_CHARACTER,
            "Resident ID body contains a character other than the digits 0-9, so no "
            "check character can be computed.",
        )
    return _compute_check_character(body17)


def birth_date(canonical: str) -> date:
    """Return the birth date encoded in a canonical resident ID."""
    _require_canonical(canonical)
    return _parse_birth_date(canonical)


def sex(canonical: str) -> Sex:
    """Return the sex encoded in the 17th digit of a canonical resident ID."""
    _require_canonical(canonical)
    return Sex.MALE if int(canonical[16]) % 2 == 1 else Sex.FEMALE


def validate_consistency(
    canonical: str, *, sex: Sex | None = None, birth_date: date | None = None
) -> None:
    """Raise InvalidResidentId if the ID contradicts the recorded sex or birth date.

    A value of None skips that comparison.
    """
    _require_canonical(canonical)
    if sex is not None:
        encoded_sex = Sex.MALE if int(canonical[16]) % 2 == 1 else Sex.FEMALE
        if encoded_sex != sex:
            raise InvalidResidentId(
                InvalidReason.SEX_MISMATCH,
                f"Resident ID {mask(canonical)} encodes sex {encoded_sex.value}, but "
                f"the record has sex {Sex(sex).value}. Correct the ID or the "
                "recorded sex.",
            )
    if birth_date is not None and _parse_birth_date(canonical) != birth_date:
        raise InvalidResidentId(
            InvalidReason.BIRTH_DATE_MISMATCH,
            f"Resident ID {mask(canonical)} encodes a birth date that differs from "
            "the recorded birth date. Correct the ID or the recorded birth date.",
        )


def mask(canonical: str) -> str:
    """Return the ID with its 8 birth-date digits replaced by asterisks.

    The first 6 (region) and last 4 (sequence and check) characters stay visible.
    """
    _require_canonical(canonical)
    return canonical[:6] + "********" + canonical[14:]


def to_legacy15(canonical: str) -> str:
    """Return the legacy 15-digit form of a canonical ID of someone born 1900-1999.

    Raises ValueError for other birth years, which the 2-digit year cannot encode.
    """
    _require_canonical(canonical)
    if canonical[6:8] != "19":
        raise ValueError(
            "Only resident IDs with a birth year from 1900 to 1999 have a legacy "
            "15-digit form."
        )
    return canonical[:6] + canonical[8:17]


# Weighted-sum contributions for `generate`, so that it computes the check character
# with three look-ups and two additions instead of 17 multiplications.
# Index n is the 3-digit sequence number n.
_SEQUENCE_PARTS: Final = tuple(
    (
        f"{number:03d}",
        sum(
            weight * int(digit)
            for weight, digit in zip(_WEIGHTS[14:], f"{number:03d}", strict=True)
        ),
    )
    for number in range(1000)
)
# Both caches are bounded by the inputs that `generate` accepts: 36 x 10,000 region
# codes, and one birth date per day since 1880-01-01 (about 54,000).
_REGION_SUMS: dict[str, int] = {}
_BIRTH_DATE_PARTS: dict[date, tuple[str, int]] = {}
_SEX_PARITY: Final = {Sex.MALE: 1, Sex.FEMALE: 0}


def generate(rng: random.Random, *, region_code: str, born: date, sex: Sex) -> str:
    """Generate a valid synthetic resident ID for test and demonstration data.

    `region_code` is a 6-digit county code whose first two digits are a province
    code. The sequence number is drawn from `rng`, with the parity of its last digit
    matching `sex`. The result passes `normalize`.

    Raises ValueError for an invalid region code, sex or birth date, including a birth
    date before 1880-01-01 or after the current local date.
    """
    region_sum = _REGION_SUMS.get(region_code)
    if region_sum is None:
        region_sum = _register_region(region_code)

    birth_date_part = _BIRTH_DATE_PARTS.get(born)
    if birth_date_part is None:
        birth_date_part = _register_birth_date(born)
    birth_digits, birth_sum = birth_date_part

    parity = _SEX_PARITY.get(sex)
    if parity is None:
        raise ValueError(f"sex must be Sex.MALE or Sex.FEMALE, not {sex!r}.")

    # random() is faster than randrange(), and its bias over 500 values is below 2^-40.
    sequence, sequence_sum = _SEQUENCE_PARTS[int(rng.random() * 500) * 2 + parity]
    check = _CHECK_CHARACTERS[(region_sum + birth_sum + sequence_sum) % 11]
    return region_code + birth_digits + sequence + check


def _register_region(region_code: str) -> int:
    if len(region_code) != 6 or not _DIGITS.issuperset(region_code):
        raise ValueError(f"region_code must be 6 digits, not {region_code!r}.")
    if region_code[:2] not in PROVINCE_CODES:
        raise ValueError(
            f"region_code {region_code!r} does not start with a province-level code."
        )
    region_sum = sum(
        weight * int(digit)
        for weight, digit in zip(_WEIGHTS[:6], region_code, strict=True)
    )
    _REGION_SUMS[region_code] = region_sum
    return region_sum


def _register_birth_date(born: date) -> tuple[str, int]:
    # A date that is valid today stays valid, so the cache needs no expiry.
    if born < EARLIEST_BIRTH_DATE or born > date.today():
        raise ValueError(
            f"born must be between {EARLIEST_BIRTH_DATE.isoformat()} and today, "
            f"not {born.isoformat()}."
        )
    digits = f"{born.year:04d}{born.month:02d}{born.day:02d}"
    birth_sum = sum(
        weight * int(digit)
        for weight, digit in zip(_WEIGHTS[6:14], digits, strict=True)
    )
    part = (digits, birth_sum)
    _BIRTH_DATE_PARTS[born] = part
    return part


def _compute_check_character(body: str) -> str:
    total = sum(
        weight * (ord(digit) - 48) for weight, digit in zip(_WEIGHTS, body, strict=True)
    )
    return _CHECK_CHARACTERS[total % 11]


def _check_characters(text: str) -> None:
    for position, character in enumerate(text, start=1):
        if character not in _ID_CHARACTERS:
            raise InvalidResidentId(
                InvalidReason.BAD_CHARACTER,
                f"Resident ID contains {character!r} as character {position}. Use "
                "only the digits 0-9, and X as the 18th character.",
            )


def _raise_wrong_length(length: int) -> NoReturn:
    if length == 0:
        raise InvalidResidentId(
            InvalidReason.WRONG_LENGTH,
            "Resident ID is empty. Enter the 18-character ID.",
        )
    raise InvalidResidentId(
        InvalidReason.WRONG_LENGTH,
        f"Resident ID has {length} characters, but it must have 18 (or 15 for a "
        "legacy ID). Check for a missing or extra digit.",
    )


def _check_x_position(text: str) -> None:
    """Raise unless X appears only as the 18th character of an 18-character ID."""
    position = text.find("X") + 1
    if position == 0 or position == 18:
        return
    if len(text) == 15:
        message = (
            f"Legacy 15-digit resident ID contains X as character {position}, but "
            "legacy IDs contain only digits. Re-type the ID."
        )
    else:
        message = (
            f"Resident ID contains X as character {position}, but X is allowed only "
            "as the 18th character. Re-type the ID."
        )
    raise InvalidResidentId(InvalidReason.BAD_CHARACTER, message)


def _is_placeholder(body: str) -> bool:
    """Return whether each digit differs from the previous one by the same step.

    This covers bodies of one repeated digit (step 0) and running sequences such as
    12345678901234567 (step 1) or 98765432109876543 (step 9), all modulo 10. No
    18-character ID with a valid region and birth date has such a body. Two legacy
    IDs do, 111111111111111 and 234567890123456, and they are rejected as well.
    """
    step = (ord(body[1]) - ord(body[0])) % 10
    return all(
        (ord(current) - ord(previous)) % 10 == step
        for previous, current in itertools.pairwise(body)
    )


def _check_region(body: str) -> None:
    if body[:2] not in PROVINCE_CODES:
        raise InvalidResidentId(
            InvalidReason.BAD_REGION,
            f"Resident ID starts with {body[:2]}, which is not a province-level "
            "region code. Check the first two digits.",
        )


def _parse_birth_date(body: str) -> date:
    try:
        return date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise InvalidResidentId(
            InvalidReason.BAD_BIRTH_DATE,
            "Resident ID characters 7-14 are not a real calendar date (YYYYMMDD). "
            "Check the year, month and day digits.",
        ) from None


def _check_birth_date(body: str, today: date) -> None:
    born = _parse_birth_date(body)
    if born < EARLIEST_BIRTH_DATE:
        raise InvalidResidentId(
            InvalidReason.BAD_BIRTH_DATE,
            "Resident ID birth date (characters 7-14) is before "
            f"{EARLIEST_BIRTH_DATE.isoformat()}. Check the year digits.",
        )
    if born > today:
        raise InvalidResidentId(
            InvalidReason.FUTURE_BIRTH_DATE,
            "Resident ID birth date (characters 7-14) is after today "
            f"({today.isoformat()}). Check the year digits.",
        )


def _require_canonical(canonical: str) -> None:
    if _CANONICAL_PATTERN.fullmatch(canonical) is None:
        raise InvalidResidentId(
            InvalidReason.WRONG_LENGTH
            if len(canonical) != 18
            else InvalidReason.BAD_CHARACTER,
            "Expected a canonical 18-character resident ID (17 digits and a check "
            "character). Pass the ID through normalize() first.",
        )
