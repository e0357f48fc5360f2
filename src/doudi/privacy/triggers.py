"""Database triggers that make the audit tables append-only.

Both PostgreSQL and SQLite reject UPDATE and DELETE on the audit tables
with these triggers, and PostgreSQL also rejects TRUNCATE of a table that
has rows, so not even a bug in this code base can rewrite history. Someone
with rights to drop triggers still can; the hash chain is what makes that
visible.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY_TABLES = ("privacy_auditentry", "privacy_auditlink")
MESSAGE = "audit records are append-only"


def _sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for op in ("UPDATE", "DELETE")
    ]


def _postgres_statements(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION doudi_reject_audit_change()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION doudi_reject_audit_truncate()",
    ]


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION doudi_reject_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

# Row triggers do not fire on TRUNCATE. Truncating an empty table is allowed,
# as deleting no rows is on SQLite, so that Django's test flush still works.
POSTGRES_TRUNCATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION doudi_reject_audit_truncate() RETURNS trigger AS $$
DECLARE
    has_rows boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME
    ) INTO has_rows;
    IF has_rows THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""  # noqa: S608 - built from constants only


def install(connection: BaseDatabaseWrapper) -> None:
    statements: list[str] = []
    if connection.vendor == "postgresql":
        statements.extend([POSTGRES_FUNCTION, POSTGRES_TRUNCATE_FUNCTION])
        for table in APPEND_ONLY_TABLES:
            statements.extend(_postgres_statements(table))
    elif connection.vendor == "sqlite":
        for table in APPEND_ONLY_TABLES:
            statements.extend(_sqlite_statements(table))
    else:
        raise NotImplementedError(f"no audit triggers for database {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers; used only by tests that must tamper or clean up."""
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            else:
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
