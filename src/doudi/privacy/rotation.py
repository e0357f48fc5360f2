"""Re-encrypt every encrypted column under the current key, resumably.

Rows are read and rewritten in chunks, each chunk in its own transaction.
A row is picked by its token's key id, so after a crash the next run
simply continues with the rows still under an old key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.crypto import TOKEN_VERSION
from doudi.privacy.fields import EncryptedTextField
from doudi.privacy.keys import keyring

logger = logging.getLogger(__name__)
CHUNK = 2000


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    column: str
    context: str


def encrypted_columns() -> Iterator[EncryptedColumn]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedTextField):
                yield EncryptedColumn(model._meta.db_table, field.column, field.context)


def rotate(
    *, chunk: int = CHUNK, after_chunk: Callable[[int], None] | None = None
) -> int:
    """Rewrite every value not under the current key; return how many changed."""
    total = 0
    for column in encrypted_columns():
        count = _rotate_column(column, chunk, after_chunk)
        logger.info(
            "key rotation rewrote %d values of %s.%s",
            count,
            column.table,
            column.column,
        )
        total += count
    audit.record_batch(
        action=AuditAction.BATCH,
        object_type="privacy.key_rotation",
        record_count=total,
        checksum="",
        detail={"current_key": keyring().current_key_id},
    )
    return total


def _rotate_column(
    column: EncryptedColumn, chunk: int, after_chunk: Callable[[int], None] | None
) -> int:
    quote = connection.ops.quote_name
    table, col = quote(column.table), quote(column.column)
    # Compare the prefix instead of using NOT LIKE, because "_" is valid in key
    # ids and is a LIKE wildcard, so "v1.k_1.%" would also match key "kx1".
    prefix = f"{TOKEN_VERSION}.{keyring().current_key_id}."
    select = (
        f"SELECT id, {col} FROM {table} WHERE {col} IS NOT NULL "  # noqa: S608
        f"AND SUBSTR({col}, 1, %s) <> %s AND id > %s ORDER BY id LIMIT %s"
    )
    update = f"UPDATE {table} SET {col} = %s WHERE id = %s"  # noqa: S608
    done, last_id = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [len(prefix), prefix, last_id, chunk])
            rows = cursor.fetchall()
            if not rows:
                return done
            ring = keyring()
            cursor.executemany(
                update,
                [
                    (ring.reencrypt(token, context=column.context), pk)
                    for pk, token in rows
                ],
            )
        done += len(rows)
        last_id = rows[-1][0]
        if after_chunk is not None:
            after_chunk(done)
