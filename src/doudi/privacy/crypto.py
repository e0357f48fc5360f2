"""Encrypt personal data fields with AES-256-GCM and compute blind indexes for them.

An encrypted value is stored as the text token ``v1.<key id>.<data>``, where data is
the unpadded base64url encoding of the 12-byte nonce followed by the ciphertext and
its 16-byte tag. The key id selects the decryption key, so tokens written under an
old key stay readable after the current key changes. The context string (for example
"registry.person.resident_id") is the AES-GCM associated data, so a token copied into
another column fails to decrypt.

A blind index is a keyed HMAC-SHA256 of a value. It lets the database find rows with
equal values without decrypting them, and it shows which rows share a value.

This module does not import Django. Error messages name key ids and contexts but
never key material or data.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
TOKEN_VERSION: Final = "v1"  # noqa: S105 - a format marker, not a secret
# 32 hex characters are 128 bits, so among 2.5 million indexed values the chance of
# any collision is below 2^-85 (birthday bound n^2 / 2^129).
BLIND_INDEX_HEX_LENGTH: Final = 32

# Key ids appear in tokens (separated by ".") and in key specs (separated by ":" and
# ","), so they are limited to characters that none of these formats uses.
_KEY_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY_ID_RULE: Final = "1-64 characters from A-Z, a-z, 0-9, '_' and '-'"
_KEY_SPEC_FORMAT: Final = (
    "'<key id>:<base64 of 32 bytes>,<key id>:<base64 of 32 bytes>'"
)
_TOKEN_FORMAT: Final = "v1.<key id>.<base64url data>"  # noqa: S105 - not a secret
_MAX_CACHED_DOMAINS: Final = 256


class KeyConfigError(ValueError):
    """Invalid or incomplete key configuration, such as a wrong key length."""


class DecryptionError(ValueError):
    """Token that cannot be decrypted because it is malformed or was altered."""


def parse_key_spec(spec: str) -> dict[str, bytes]:
    """Parse a key spec such as ``"k2026a:BASE64,k2026b:BASE64"`` into key bytes.

    Each entry is a key id, a colon and the standard or URL-safe base64 encoding
    (padding optional) of a 32-byte key. Whitespace around entries is ignored.
    Raises KeyConfigError naming the entry number or key id, never the key material.
    """
    if not spec.strip():
        raise KeyConfigError(
            f"Key spec is empty. Set it to {_KEY_SPEC_FORMAT}, for example with an "
            "entry from generate_key_spec()."
        )

    keys: dict[str, bytes] = {}
    for number, entry in enumerate(spec.split(","), start=1):
        key_id, separator, encoded = entry.strip().partition(":")
        if not separator:
            raise KeyConfigError(
                f"Key spec entry {number} has no ':' between key id and key. "
                f"Expected {_KEY_SPEC_FORMAT}."
            )
        # The id is not shown because an entry with swapped fields would put the
        # key material there.
        if _KEY_ID_PATTERN.fullmatch(key_id) is None:
            raise KeyConfigError(
                f"Key spec entry {number} has an invalid key id. A key id is "
                f"{_KEY_ID_RULE}. Expected {_KEY_SPEC_FORMAT}."
            )
        if key_id in keys:
            raise KeyConfigError(
                f"Key id {key_id!r} appears more than once in the key spec. Give "
                "each key its own id."
            )
        keys[key_id] = _decode_key(key_id, encoded.strip())
    return keys


def generate_key_spec(key_id: str) -> str:
    """Return a key spec entry ``"<key_id>:<base64url>"`` with a new random key."""
    _validate_key_id(key_id)
    encoded = base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")
    return f"{key_id}:{encoded}"


def key_id_of(token: str) -> str:
    """Return the id of the key that encrypted `token`.

    Raises DecryptionError if the token does not start with ``v1.<key id>.``.
    """
    version, _, rest = token.partition(".")
    key_id, separator, _ = rest.partition(".")
    if (
        version != TOKEN_VERSION
        or not separator
        or _KEY_ID_PATTERN.fullmatch(key_id) is None
    ):
        raise DecryptionError(
            f"Value is not an encrypted token of the form {_TOKEN_FORMAT}."
        )
    return key_id


class FieldKeyring:
    """AES-256-GCM keys by id, the current key id and the blind index key.

    Keys cannot be changed after construction, so rotating keys means building a new
    keyring. Only a cache of per-domain HMAC states grows during use.
    """

    __slots__ = (
        "_aeads",
        "_blind_index_mac",
        "_current_aead",
        "_current_key_id",
        "_domain_macs",
        "_token_prefix",
    )

    def __init__(
        self,
        keys: Mapping[str, bytes],
        *,
        current_key_id: str,
        blind_index_key: bytes,
    ) -> None:
        """Validate the keys and build one AES-GCM cipher per key.

        Raises KeyConfigError for an empty key set, an invalid key id, a key or blind
        index key that is not 32 bytes, a current key id missing from `keys`, or a
        blind index key equal to an encryption key.
        """
        if not keys:
            raise KeyConfigError(
                "No field encryption keys are configured. Add at least one key, for "
                "example with an entry from generate_key_spec()."
            )
        for key_id, key in keys.items():
            _validate_key_id(key_id)
            _validate_key_length(f"Field encryption key {key_id!r}", key)
        if current_key_id not in keys:
            raise KeyConfigError(
                f"Current key id {current_key_id!r} is not among the configured keys "
                f"({', '.join(sorted(keys))}). Add that key or set the current key "
                "id to one of these."
            )
        _validate_key_length("Blind index key", blind_index_key)
        if any(hmac.compare_digest(blind_index_key, key) for key in keys.values()):
            raise KeyConfigError(
                "Blind index key is equal to a field encryption key. Generate a "
                "separate random key for the blind index."
            )

        self._aeads = {key_id: AESGCM(bytes(key)) for key_id, key in keys.items()}
        self._current_key_id = current_key_id
        self._current_aead = self._aeads[current_key_id]
        self._token_prefix = f"{TOKEN_VERSION}.{current_key_id}."
        # Each call copies this HMAC state instead of setting up the key again.
        self._blind_index_mac = hmac.new(bytes(blind_index_key), digestmod="sha256")
        self._domain_macs: dict[str, hmac.HMAC] = {}

    def __repr__(self) -> str:
        return (
            f"FieldKeyring(key_ids={sorted(self._aeads)!r}, "
            f"current_key_id={self._current_key_id!r})"
        )

    @property
    def current_key_id(self) -> str:
        """Id of the key that encrypts new tokens."""
        return self._current_key_id

    @property
    def key_ids(self) -> frozenset[str]:
        """Ids of all keys that can decrypt tokens."""
        return frozenset(self._aeads)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt `plaintext` with the current key and return a v1 token.

        `context` names the column, and `decrypt` must be given the same string. Each
        call draws a random 96-bit nonce. With random nonces, NIST SP 800-38D
        (section 8.3) allows at most 2^32 encryptions per key, so rotate keys well
        before that.
        """
        _validate_context(context)
        try:
            data = plaintext.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"Plaintext for context {context!r} contains a lone surrogate, which "
                "UTF-8 cannot encode. Fix the text before storing it."
            ) from None
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._current_aead.encrypt(nonce, data, context.encode("utf-8"))
        encoded = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=")
        return self._token_prefix + encoded.decode("ascii")

    def decrypt(self, token: str, *, context: str) -> str:
        """Decrypt a token made by `encrypt` with the same `context`.

        Raises KeyConfigError if the token's key id is not in this keyring, and
        DecryptionError if the token is malformed, was altered, or was made for
        another context.
        """
        _validate_context(context)
        try:
            key_id = key_id_of(token)
        except DecryptionError:
            raise DecryptionError(
                f"Cannot decrypt the value for context {context!r} because it is not "
                f"a token of the form {_TOKEN_FORMAT}."
            ) from None
        aead = self._aeads.get(key_id)
        if aead is None:
            raise KeyConfigError(
                f"Cannot decrypt the value for context {context!r} because key id "
                f"{key_id!r} is not in the keyring. Add that key to the configured "
                "keys, because values encrypted with it are still stored."
            )

        payload = token[len(TOKEN_VERSION) + len(key_id) + 2 :]
        raw = _decode_payload(payload)
        if raw is None or len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError(
                f"Cannot decrypt the value for context {context!r} because its data "
                "part is not valid unpadded base64url or is too short. The token was "
                "altered or truncated."
            )
        try:
            data = aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")
            )
        except InvalidTag:
            raise DecryptionError(
                f"Cannot decrypt the value for context {context!r} with key id "
                f"{key_id!r}. The token was altered, or it belongs to another column."
            ) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # Only a token made outside `encrypt` with the right key gets here.
            raise DecryptionError(
                f"Decrypted value for context {context!r} is not UTF-8 text."
            ) from None

    def seal(self, data: bytes, *, context: str) -> bytes:
        """Encrypt bytes (a stored file) with the current key.

        The result is the key id, a newline, the nonce and the sealed data.
        `context` binds it to its place, and `unseal` must be given the same.
        """
        _validate_context(context)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._current_aead.encrypt(nonce, data, context.encode("utf-8"))
        return self._current_key_id.encode("ascii") + b"\n" + nonce + sealed

    def unseal(self, blob: bytes, *, context: str) -> bytes:
        """Decrypt bytes made by `seal` with the same `context`.

        Raises KeyConfigError for a key id not in this keyring and
        DecryptionError for data that is malformed, altered or moved.
        """
        _validate_context(context)
        key_id, separator, rest = blob.partition(b"\n")
        aead = self._aeads.get(key_id.decode("ascii", "replace"))
        if not separator or len(rest) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError(
                f"The stored data for context {context!r} is not sealed data."
            )
        if aead is None:
            raise KeyConfigError(
                f"Cannot decrypt the stored data for context {context!r}: its key "
                "is not in the keyring. Add that key to the configured keys."
            )
        try:
            return aead.decrypt(
                rest[:NONCE_BYTES], rest[NONCE_BYTES:], context.encode("utf-8")
            )
        except InvalidTag:
            raise DecryptionError(
                f"Cannot decrypt the stored data for context {context!r}: it was "
                "altered, or it belongs to another place."
            ) from None

    def needs_rotation(self, token: str) -> bool:
        """Return whether `token` was encrypted with a key other than the current one.

        Raises DecryptionError if `token` is not a v1 token.
        """
        return key_id_of(token) != self._current_key_id

    def reencrypt(self, token: str, *, context: str) -> str:
        """Re-encrypt `token` with the current key unless it already uses that key."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def blind_index(self, value: str, *, domain: str) -> str:
        """Compute a deterministic keyed index of `value` for equality search.

        The index is the HMAC-SHA256 of domain + NUL + value in UTF-8, as 32 hex
        characters. The value is first NFKC-normalized and stripped of surrounding
        whitespace, so full-width and ASCII digits give the same index. `domain`
        (for example "person.resident_id") keeps equal values in different columns
        from having equal indexes. Other normalization, such as resident ID
        canonicalization, is the caller's job.
        """
        base = self._domain_macs.get(domain)
        if base is None:
            base = self._start_domain_mac(domain)
        try:
            data = unicodedata.normalize("NFKC", value).strip().encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"Value for blind index domain {domain!r} contains a lone surrogate, "
                "which UTF-8 cannot encode. Fix the text before indexing it."
            ) from None
        mac = base.copy()
        mac.update(data)
        return mac.hexdigest()[:BLIND_INDEX_HEX_LENGTH]

    def _start_domain_mac(self, domain: str) -> hmac.HMAC:
        if not domain or "\0" in domain or not _is_utf8_encodable(domain):
            raise ValueError(
                "Blind index domain must be a non-empty string without NUL "
                f"characters or lone surrogates, not {domain!r}."
            )
        mac = self._blind_index_mac.copy()
        mac.update(domain.encode("utf-8") + b"\0")
        # Domains are code constants, so the limit only guards against misuse.
        if len(self._domain_macs) < _MAX_CACHED_DOMAINS:
            self._domain_macs[domain] = mac
        return mac


def _validate_key_id(key_id: str) -> None:
    if _KEY_ID_PATTERN.fullmatch(key_id) is None:
        raise KeyConfigError(
            f"Key id {key_id!r} is invalid. A key id is {_KEY_ID_RULE}."
        )


def _validate_key_length(name: str, key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise KeyConfigError(
            f"{name} is {len(key)} bytes long, but AES-256 and the blind index need "
            f"{KEY_BYTES} random bytes. Generate a new key with generate_key_spec()."
        )


def _validate_context(context: str) -> None:
    if not context:
        raise ValueError(
            "Encryption context must be a non-empty string that names the column, "
            "such as 'registry.person.resident_id'."
        )


def _is_utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _decode_key(key_id: str, encoded: str) -> bytes:
    """Decode standard or URL-safe base64, with or without padding."""
    unpadded = encoded.rstrip("=")
    standard = unpadded.translate(str.maketrans("-_", "+/"))
    try:
        key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(
            f"Key {key_id!r} in the key spec is not valid base64. Expected "
            f"{_KEY_SPEC_FORMAT}."
        ) from None
    if len(key) != KEY_BYTES:
        raise KeyConfigError(
            f"Key {key_id!r} in the key spec decodes to {len(key)} bytes, but "
            f"{KEY_BYTES} are needed. Generate a new entry with generate_key_spec()."
        )
    return key


def _decode_payload(payload: str) -> bytes | None:
    """Decode unpadded base64url, or return None unless `payload` is canonical.

    The lenient standard decoder skips unknown characters and ignores unused low bits
    of the last character. Re-encoding and comparing rejects every such spelling, so
    any change to a token's text makes decryption fail.
    """
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return None
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != payload.encode("ascii", "replace"):
        return None
    return raw
