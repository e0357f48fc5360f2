"""Sealing stored files: round trip, key rotation, tampering and moved files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.privacy.crypto import DecryptionError, KeyConfigError
from doudi.privacy.tests.test_crypto import KEY_A, KEY_B, make_keyring

PLACE = "cases.document:0a1b2c.pdf"


@given(st.binary(max_size=4096))
def test_round_trip_any_bytes(data: bytes) -> None:
    keyring = make_keyring()
    assert keyring.unseal(keyring.seal(data, context=PLACE), context=PLACE) == data


def test_sealed_data_hides_the_content() -> None:
    data = b"%PDF-1.7 synthetic income certificate"
    sealed = make_keyring().seal(data, context=PLACE)
    assert data not in sealed
    assert sealed.startswith(b"k2026a\n")


def test_old_key_still_opens_after_rotation() -> None:
    sealed = make_keyring().seal(b"scan", context=PLACE)
    rotated = make_keyring({"k2026a": KEY_A, "k2027a": KEY_B}, "k2027a")
    assert rotated.unseal(sealed, context=PLACE) == b"scan"


def test_missing_key_named() -> None:
    sealed = make_keyring().seal(b"scan", context=PLACE)
    other = make_keyring({"k2027a": KEY_B}, "k2027a")
    with pytest.raises(KeyConfigError, match="not in the keyring"):
        other.unseal(sealed, context=PLACE)


def test_altered_byte_refused() -> None:
    sealed = bytearray(make_keyring().seal(b"scan", context=PLACE))
    sealed[-1] ^= 1
    with pytest.raises(DecryptionError, match="altered"):
        make_keyring().unseal(bytes(sealed), context=PLACE)


def test_file_moved_to_another_place_refused() -> None:
    sealed = make_keyring().seal(b"scan", context=PLACE)
    with pytest.raises(DecryptionError, match="another place"):
        make_keyring().unseal(sealed, context="cases.document:other.pdf")


@pytest.mark.parametrize("blob", [b"", b"no separator", b"k2026a\nshort"])
def test_not_sealed_data_refused(blob: bytes) -> None:
    with pytest.raises(DecryptionError, match="not sealed data"):
        make_keyring().unseal(blob, context=PLACE)
