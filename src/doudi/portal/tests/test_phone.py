"""Phone numbers: every way of writing a mobile number gives one form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from doudi.portal import phone

SECOND_DIGITS = "3456789"
mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from(SECOND_DIGITS),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
separators = st.sampled_from(["", " ", "-", "  ", " - ", "."])


def _spaced(number: str, separator: str) -> str:
    return separator.join([number[:3], number[3:7], number[7:]])


@given(mobiles, st.sampled_from(["", "+86", "0086", "+86 ", "0086-"]), separators)
def test_written_forms_normalise_alike(number, prefix, separator):
    assert phone.normalize(prefix + _spaced(number, separator)) == "+86" + number


@given(mobiles)
def test_normalise_is_idempotent(number):
    once = phone.normalize(number)
    assert phone.normalize(once) == once


@given(mobiles)
def test_full_width_digits_accepted(number):
    wide = "".join(chr(ord(digit) + 0xFEE0) for digit in number)
    assert phone.normalize(wide) == "+86" + number


@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_only_mobile_shapes_accepted(digits):
    valid = len(digits) == 11 and digits[0] == "1" and digits[1] in SECOND_DIGITS
    if valid:
        assert phone.normalize(digits) == "+86" + digits
    else:
        with pytest.raises(ValidationError):
            phone.normalize(digits)


@given(
    st.text(min_size=1, max_size=20).filter(
        lambda text: not any(c.isdigit() for c in text)
    )
)
def test_no_digits_rejected(text):
    with pytest.raises(ValidationError):
        phone.normalize(text)


@pytest.mark.parametrize(
    "raw", ["12345", "+1 415 555 0100", "0213 1234 5678", "1231234567", "139123456789"]
)
def test_rejection_names_value_and_fix(raw):
    with pytest.raises(ValidationError) as caught:
        phone.normalize(raw)
    message = caught.value.messages[0]
    assert raw.strip() in message
    assert "11 digits" in message


def test_missing_number_message():
    with pytest.raises(ValidationError, match="missing"):
        phone.normalize("  ")


def test_mask_hides_middle():
    assert phone.mask("+8613912345678") == "139****5678"
