"""Another city's list: valid rows kept, bad rows rejected with line and reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doudi.monitoring.duplicates.models import ImportedList, ImportedRow
from doudi.monitoring.duplicates.tests.factories import ALICE_WRONG_CHECK, import_rows
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

MIXED = (
    "name,resident_id,birth_date,sex,address,scheme\n"
    f"王测试,{ALICE_WRONG_CHECK},1980-01-01,M,苏州市测试路5号,低保\n"
    ",310101198001010018,1980-01-01,M,,\n"
    "李四,12345,1980-01-01,M,,\n"
    "张三,,1980-13-01,M,,\n"
    "ZHANG San,310101800101001,,F,,\n"
    "赵五,,,M,,\n"
    "钱六,,1970-02-02,X,,\n"
)


def test_import_keeps_valid_rows(users):
    imported = import_rows(users["city"], MIXED)
    lines = list(imported.rows.order_by("line").values_list("line", flat=True))
    assert lines == [2, 6]
    row = imported.rows.get(line=2)
    assert row.resident_id == ALICE_WRONG_CHECK
    assert row.name == "王测试"


def test_import_rejects_bad_rows_with_line_and_reason(users):
    imported = import_rows(users["city"], MIXED)
    reasons = {item["line"]: item["reason"] for item in imported.rejected}
    assert sorted(reasons) == [3, 4, 5, 7, 8]
    assert "name is empty" in reasons[3]
    assert "18 characters or 15 digits" in reasons[4]
    assert "YYYY-MM-DD" in reasons[5]
    assert "neither a resident ID nor a birth date" in reasons[7]
    assert "M, F or empty" in reasons[8]


def test_rejection_reasons_hold_no_values(users):
    imported = import_rows(users["city"], MIXED)
    text = str(imported.rejected)
    assert "12345" not in text
    assert "1980-13-01" not in text


def test_same_file_imports_once(users):
    first = import_rows(users["city"], MIXED)
    second = import_rows(users["city"], MIXED)
    assert first == second
    assert ImportedList.objects.count() == 1
    assert ImportedRow.objects.count() == 2


def test_import_is_audited(users):
    imported = import_rows(users["city"], MIXED)
    entry = AuditEntry.objects.get(object_type="duplicates.importedlist")
    assert entry.object_id == str(imported.pk)
    assert entry.record_count == 2


def test_names_and_ids_stored_encrypted(users):
    from django.db import connection

    import_rows(users["city"], MIXED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, resident_id FROM duplicates_importedrow")
        stored = cursor.fetchall()
    assert all(
        value is None or value.startswith("v1.") for row in stored for value in row
    )


def test_missing_name_column_is_rejected(users):
    with pytest.raises(ValidationError, match="no name column"):
        import_rows(users["city"], "resident_id\n310101198001010018\n")


def test_worker_cannot_import(users):
    with pytest.raises(PermissionDenied):
        import_rows(users["owner"], MIXED)


def test_import_command_lists_rejections(users, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "list.csv"
    path.write_text(MIXED, encoding="utf-8")
    output = StringIO()
    call_command(
        "duplicates",
        "import",
        str(path),
        user="city",
        source_city="苏州市",
        stdout=output,
    )
    assert "2 rows imported, 5 rejected" in output.getvalue()
    assert "line 4:" in output.getvalue()
