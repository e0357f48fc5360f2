"""Tests for field encryption, key specs and blind indexes.

The keys are fixed byte patterns and the plaintexts are synthetic.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.privacy.crypto import (
    BLIND_INDEX_HEX_LENGTH,
    DecryptionError,
    FieldKeyring,
    KeyConfigError,
    generate_key_spec,
    key_id_of,
    parse_key_spec,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))
# Its standard base64 form contains "+" and "/", which URL-safe base64 replaces.
KEY_C = b"\xfb\xef\xbe" * 10 + b"\xff\xff"
BLIND_KEY = bytes(range(64, 96))
CONTEXT = "registry.person.resident_id"
BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def make_keyring(
    keys: dict[str, bytes] | None = None, current_key_id: str = "k2026a"
) -> FieldKeyring:
    return FieldKeyring(
        {"k2026a": KEY_A} if keys is None else keys,
        current_key_id=current_key_id,
        blind_index_key=BLIND_KEY,
    )


def split_token(token: str) -> tuple[str, bytes]:
    """Return the token's prefix (with trailing dot) and its decoded data part."""
    prefix, _, data = token.rpartition(".")
    return prefix + ".", base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def join_token(prefix: str, raw: bytes) -> str:
    return prefix + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# Encryption round trip and token format


@given(st.text())
def test_round_trip_any_text(plaintext: str) -> None:
    keyring = make_keyring()
    token = keyring.encrypt(plaintext, context=CONTEXT)
    assert keyring.decrypt(token, context=CONTEXT) == plaintext


def test_round_trip_chinese_text() -> None:
    keyring = make_keyring()
    plaintext = "测试街道幸福路88号3单元"
    token = keyring.encrypt(plaintext, context=CONTEXT)
    assert keyring.decrypt(token, context=CONTEXT) == plaintext


def test_token_format() -> None:
    token = make_keyring().encrypt("abc", context=CONTEXT)
    prefix, raw = split_token(token)
    assert prefix == "v1.k2026a."
    assert "=" not in token
    # 12-byte nonce, 3 bytes of ciphertext and a 16-byte tag.
    assert len(raw) == 12 + 3 + 16


def test_tokens_differ_per_call() -> None:
    keyring = make_keyring()
    first = keyring.encrypt("same value", context=CONTEXT)
    second = keyring.encrypt("same value", context=CONTEXT)
    assert first != second


def test_empty_context_rejected() -> None:
    keyring = make_keyring()
    with pytest.raises(ValueError, match="context"):
        keyring.encrypt("abc", context="")
    token = keyring.encrypt("abc", context=CONTEXT)
    with pytest.raises(ValueError, match="context"):
        keyring.decrypt(token, context="")


def test_lone_surrogate_rejected() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        make_keyring().encrypt("a\ud800b", context=CONTEXT)


# Decryption failures


def test_wrong_context_fails() -> None:
    keyring = make_keyring()
    token = keyring.encrypt("secret-value-1", context=CONTEXT)
    with pytest.raises(DecryptionError) as caught:
        keyring.decrypt(token, context="registry.person.phone")
    assert "registry.person.phone" in str(caught.value)
    assert "secret-value-1" not in str(caught.value)


def test_tampered_byte_fails() -> None:
    keyring = make_keyring()
    token = keyring.encrypt("测试值", context=CONTEXT)
    prefix, raw = split_token(token)
    for position in range(len(raw)):
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError, match=CONTEXT):
            keyring.decrypt(join_token(prefix, bytes(tampered)), context=CONTEXT)


def test_changed_character_fails() -> None:
    keyring = make_keyring()
    # 4 bytes of plaintext make 32 bytes of data, so the last base64 character has
    # 2 unused low bits that a lenient decoder would ignore.
    token = keyring.encrypt("abcd", context=CONTEXT)
    start = len("v1.k2026a.")
    for position in range(start, len(token)):
        for replacement in BASE64URL_ALPHABET:
            if replacement == token[position]:
                continue
            changed = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(DecryptionError):
                keyring.decrypt(changed, context=CONTEXT)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda token: token[:-1],
        lambda token: token[:20],
        lambda token: token + "=",
        lambda token: token + "A",
        lambda token: token + ".A",
        lambda token: token[:12] + "+" + token[13:],
        lambda token: token[:12] + "é" + token[13:],
        lambda token: token.rpartition(".")[0] + ".",
    ],
)
def test_mangled_token_fails(mutation: Callable[[str], str]) -> None:
    keyring = make_keyring()
    token = keyring.encrypt("abcde", context=CONTEXT)
    with pytest.raises(DecryptionError):
        keyring.decrypt(mutation(token), context=CONTEXT)


@pytest.mark.parametrize(
    "token", ["", "abc", "v1", "v1.k2026a", "v2.k2026a.AAAA", "v1..AAAA", "v1.k:1.AAAA"]
)
def test_malformed_token_fails(token: str) -> None:
    with pytest.raises(DecryptionError, match=CONTEXT):
        make_keyring().decrypt(token, context=CONTEXT)


def test_unknown_key_id_fails() -> None:
    token = make_keyring().encrypt("abc", context=CONTEXT)
    other = make_keyring({"k2026b": KEY_B}, current_key_id="k2026b")
    with pytest.raises(KeyConfigError, match="'k2026a'"):
        other.decrypt(token, context=CONTEXT)


def test_swapped_key_id_fails() -> None:
    keyring = make_keyring({"k2026a": KEY_A, "k2026b": KEY_B})
    token = keyring.encrypt("abc", context=CONTEXT)
    swapped = token.replace("v1.k2026a.", "v1.k2026b.", 1)
    with pytest.raises(DecryptionError):
        keyring.decrypt(swapped, context=CONTEXT)


# Key rotation


def test_rotation_keeps_old_tokens_readable() -> None:
    old_keyring = make_keyring({"k2026a": KEY_A})
    token = old_keyring.encrypt("旧值", context=CONTEXT)
    new_keyring = make_keyring(
        {"k2026a": KEY_A, "k2026b": KEY_B}, current_key_id="k2026b"
    )
    assert new_keyring.decrypt(token, context=CONTEXT) == "旧值"
    assert new_keyring.needs_rotation(token)
    assert not old_keyring.needs_rotation(token)


def test_new_tokens_use_current_key() -> None:
    keyring = make_keyring({"k2026a": KEY_A, "k2026b": KEY_B}, current_key_id="k2026b")
    token = keyring.encrypt("abc", context=CONTEXT)
    assert key_id_of(token) == "k2026b"
    assert not keyring.needs_rotation(token)


def test_reencrypt_moves_to_current_key() -> None:
    old_token = make_keyring().encrypt("abc", context=CONTEXT)
    keyring = make_keyring({"k2026a": KEY_A, "k2026b": KEY_B}, current_key_id="k2026b")
    new_token = keyring.reencrypt(old_token, context=CONTEXT)
    assert key_id_of(new_token) == "k2026b"
    assert keyring.decrypt(new_token, context=CONTEXT) == "abc"
    assert keyring.reencrypt(new_token, context=CONTEXT) == new_token


def test_key_id_of_rejects_non_token() -> None:
    with pytest.raises(DecryptionError):
        key_id_of("plain text")


def test_needs_rotation_rejects_non_token() -> None:
    with pytest.raises(DecryptionError):
        make_keyring().needs_rotation("plain text")


# Keyring configuration


def test_keyring_properties() -> None:
    keyring = make_keyring({"k2026a": KEY_A, "k2026b": KEY_B}, current_key_id="k2026b")
    assert keyring.current_key_id == "k2026b"
    assert keyring.key_ids == frozenset({"k2026a", "k2026b"})


def test_keyring_repr_hides_keys() -> None:
    text = repr(make_keyring())
    assert "k2026a" in text
    assert KEY_A.hex() not in text
    assert repr(KEY_A) not in text


def test_keyring_rejects_no_keys() -> None:
    with pytest.raises(KeyConfigError, match="No field encryption keys"):
        make_keyring({}, current_key_id="k2026a")


def test_keyring_rejects_short_key() -> None:
    with pytest.raises(KeyConfigError, match="'k2026a' is 16 bytes"):
        make_keyring({"k2026a": KEY_A[:16]})


def test_keyring_rejects_missing_current_id() -> None:
    with pytest.raises(KeyConfigError, match="'k2026c' is not among"):
        make_keyring({"k2026a": KEY_A}, current_key_id="k2026c")


@pytest.mark.parametrize("key_id", ["", "k.1", "k:1", "k,1", "k 1", "k" * 65])
def test_keyring_rejects_bad_key_id(key_id: str) -> None:
    with pytest.raises(KeyConfigError, match="Key id"):
        make_keyring({key_id: KEY_A}, current_key_id=key_id)


def test_keyring_rejects_short_blind_key() -> None:
    with pytest.raises(KeyConfigError, match="Blind index key is 31 bytes"):
        FieldKeyring({"k": KEY_A}, current_key_id="k", blind_index_key=BLIND_KEY[:31])


def test_keyring_rejects_reused_blind_key() -> None:
    with pytest.raises(KeyConfigError, match="separate random key"):
        FieldKeyring({"k": KEY_A}, current_key_id="k", blind_index_key=KEY_A)


# Key specs


def test_parse_key_spec_accepts_both_alphabets() -> None:
    standard = base64.b64encode(KEY_C).decode()
    urlsafe = base64.urlsafe_b64encode(KEY_C).decode().rstrip("=")
    assert "+" in standard
    assert "/" in standard
    spec = f" k2026a:{standard} ,\nk2026b:{urlsafe}\n"
    assert parse_key_spec(spec) == {"k2026a": KEY_C, "k2026b": KEY_C}


def test_generated_spec_parses() -> None:
    entry = generate_key_spec("k2027a")
    keys = parse_key_spec(entry)
    assert list(keys) == ["k2027a"]
    assert len(keys["k2027a"]) == 32


def test_generated_keys_differ() -> None:
    assert generate_key_spec("k") != generate_key_spec("k")


def test_generate_key_spec_rejects_bad_id() -> None:
    with pytest.raises(KeyConfigError, match="Key id"):
        generate_key_spec("k.1")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("k2026a", "entry 1 has no ':'"),
        (f"k2026a:{base64.b64encode(KEY_A).decode()},", "entry 2 has no ':'"),
        (f"k.1:{base64.b64encode(KEY_A).decode()}", "entry 1 has an invalid key id"),
        ("k2026a:not base64!", "'k2026a' in the key spec is not valid base64"),
        (f"k2026a:{base64.b64encode(KEY_A[:16]).decode()}", "'k2026a' .* 16 bytes"),
        (
            f"k:{base64.b64encode(KEY_A).decode()},k:{base64.b64encode(KEY_B).decode()}",
            "'k' appears more than once",
        ),
    ],
)
def test_parse_key_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        parse_key_spec(spec)


def test_spec_error_hides_key_material() -> None:
    material = base64.b64encode(KEY_A).decode()
    # Swapped fields put the key material where the key id belongs.
    with pytest.raises(KeyConfigError) as caught:
        parse_key_spec(f"{material}:k2026a")
    assert material.rstrip("=") not in str(caught.value)


def test_spec_error_mentions_format() -> None:
    with pytest.raises(KeyConfigError, match="<key id>:<base64 of 32 bytes>"):
        parse_key_spec("k2026a")


# Blind indexes


def reference_blind_index(value: str, domain: str) -> str:
    message = domain.encode() + b"\0" + value.encode()
    return hmac.new(BLIND_KEY, message, hashlib.sha256).hexdigest()[:32]


# Printable ASCII without spaces is unchanged by NFKC and stripping.
@given(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)),
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\0"),
        min_size=1,
    ),
)
def test_blind_index_matches_reference(value: str, domain: str) -> None:
    index = make_keyring().blind_index(value, domain=domain)
    assert index == reference_blind_index(value, domain)


def test_blind_index_chinese_matches_reference() -> None:
    index = make_keyring().blind_index("测试用户", domain="person.name")
    assert index == reference_blind_index("测试用户", "person.name")


def test_blind_index_deterministic() -> None:
    first = make_keyring().blind_index(
        "110105194912310021", domain="person.resident_id"
    )
    second = make_keyring().blind_index(
        "110105194912310021", domain="person.resident_id"
    )
    assert first == second


def test_blind_index_format() -> None:
    index = make_keyring().blind_index("abc", domain="person.name")
    assert len(index) == BLIND_INDEX_HEX_LENGTH
    assert set(index) <= set("0123456789abcdef")


def test_blind_index_domain_separated() -> None:
    keyring = make_keyring()
    assert keyring.blind_index("13800000000", domain="person.phone") != (
        keyring.blind_index("13800000000", domain="household.phone")
    )


def test_blind_index_domain_boundary() -> None:
    # Without the NUL separator these two would hash the same bytes.
    keyring = make_keyring()
    assert keyring.blind_index("bc", domain="a") != keyring.blind_index(
        "c", domain="ab"
    )


def test_blind_index_depends_on_key() -> None:
    other = FieldKeyring({"k": KEY_A}, current_key_id="k", blind_index_key=KEY_B)
    assert make_keyring().blind_index("abc", domain="d") != other.blind_index(
        "abc", domain="d"
    )


def test_blind_index_normalizes_value() -> None:
    keyring = make_keyring()
    expected = keyring.blind_index("13800000000", domain="person.phone")
    assert keyring.blind_index(" 13800000000\u3000", domain="person.phone") == expected
    assert (
        keyring.blind_index("１３８００００００００", domain="person.phone") == expected
    )


def test_blind_index_many_domains() -> None:
    # More domains than the cache can store must still give correct indexes.
    keyring = make_keyring()
    for number in range(300):
        domain = f"domain.{number}"
        assert keyring.blind_index("v", domain=domain) == reference_blind_index(
            "v", domain
        )


@pytest.mark.parametrize("domain", ["", "a\0b", "a\ud800"])
def test_blind_index_rejects_bad_domain(domain: str) -> None:
    with pytest.raises(ValueError, match="domain"):
        make_keyring().blind_index("abc", domain=domain)


def test_blind_index_rejects_lone_surrogate() -> None:
    with pytest.raises(ValueError, match="surrogate") as caught:
        make_keyring().blind_index("a\ud800b", domain="person.name")
    assert "\ud800" not in str(caught.value)
