"""Drop secondary indexes around a large bulk load and build them again after.

Building an index once from sorted data is far cheaper than updating it row
by row, and on PostgreSQL foreign keys re-added after the load are checked
with one join instead of one look-up per row. Everything happens inside the
caller's transaction, so a crash rolls the drops back with the rows.
On PostgreSQL the DDL locks the tables until commit, so other sessions
wait for the load to finish.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedDefinition:
    table: str
    name: str
    create_sql: str


@contextmanager
def rebuilt_after(tables: Sequence[str]) -> Iterator[None]:
    """Drop the secondary indexes of `tables` now and recreate them on exit.

    On exit by an exception nothing is recreated: the caller's transaction
    rolls back, which restores the dropped definitions.
    """
    if connection.vendor == "postgresql":
        # Altering a table fails while deferred checks of rows written earlier
        # in this transaction are pending. Run them now, and every later check
        # at once until the definitions are back.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        saved = _drop_postgres(tables)
    elif connection.vendor == "sqlite":
        saved = _drop_sqlite(tables)
    else:
        saved = []
    yield
    with connection.cursor() as cursor:
        for definition in saved:
            cursor.execute(definition.create_sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    logger.info("rebuilt %d indexes and constraints after bulk load", len(saved))


def refresh_statistics(tables: Sequence[str]) -> None:
    """Gather the planner's statistics of `tables` after a bulk load.

    Without them PostgreSQL guesses that a look-up by household matches
    thousands of rows and picks parallel scans: a case page then took
    100 ms per query instead of under 1 ms, until autovacuum caught up.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Sample at most this many index entries, so a large table is quick.
            cursor.execute("PRAGMA analysis_limit = 1000")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    logger.info("refreshed planner statistics of %d tables", len(tables))


def _drop_sqlite(tables: Sequence[str]) -> list[SavedDefinition]:
    placeholders = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
            f"AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
            list(tables),
        )
        saved = [SavedDefinition(*row) for row in cursor.fetchall()]
        for definition in saved:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(definition.name)}")
    return saved


# Foreign keys first, then unique constraints, then plain indexes; they are
# recreated in the reverse order, so a foreign key never lacks its target.
_POSTGRES_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c
WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
ORDER BY c.contype, c.conname
"""
_POSTGRES_INDEXES = """
SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,
       pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint c
      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
        AND c.contype IN ('p', 'u', 'x'))
"""


def _drop_postgres(tables: Sequence[str]) -> list[SavedDefinition]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRES_CONSTRAINTS, [list(tables)])
        constraints = cursor.fetchall()
        cursor.execute(_POSTGRES_INDEXES, [list(tables)])
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for _table, name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    saved = [SavedDefinition(table, name, sql) for table, name, sql in indexes]
    # Recreate unique constraints ('u') before foreign keys ('f').
    for table, name, definition, _kind in sorted(
        constraints, key=lambda c: c[3] != "u"
    ):
        sql = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        saved.append(SavedDefinition(table, name, sql))
    return saved
