"""Model fields whose values are stored encrypted (AES-GCM, rotating keys)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from doudi.privacy.keys import keyring


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as an AES-GCM token bound to its table and column.

    The column contains `v1.<key id>.<ciphertext>`, so `doudi keys rotate` can
    find values under an old key. Look-ups by value go through a separate
    blind-index column; filtering on this column itself cannot work.
    """

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        return keyring().decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return keyring().encrypt(str(value), context=self.context)
