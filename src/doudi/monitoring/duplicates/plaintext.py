"""Decrypt encrypted columns into memory for one linkage run.

This module does not import Django, so the benchmark times the same code.
"""

from __future__ import annotations

import polars as pl

from doudi.privacy.crypto import FieldKeyring


def decrypt_column(tokens: pl.Series, context: str, keyring: FieldKeyring) -> pl.Series:
    """Decrypt each distinct token once; a household's address repeats per member."""
    distinct = tokens.drop_nulls().unique().to_list()
    plain = [keyring.decrypt(token, context=context) for token in distinct]
    lookup = pl.DataFrame(
        {"token": distinct, "plain": plain}, schema={"token": pl.Utf8, "plain": pl.Utf8}
    )
    joined = tokens.to_frame("token").join(
        lookup, on="token", how="left", maintain_order="left"
    )
    return joined["plain"].alias(tokens.name)
