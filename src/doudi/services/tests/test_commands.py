"""`doudi services import` and `export`: files in both formats, errors as exits."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from doudi.privacy.models import AuditEntry
from doudi.services import exporting
from doudi.services.models import Organization


@pytest.mark.parametrize(("kind", "name"), [("json", "out.json"), ("csv", "out.zip")])
def test_export_then_import_into_empty_catalogue(catalogue, tmp_path, kind, name):
    before = exporting.export_json()
    path = tmp_path / name
    out = io.StringIO()

    call_command("services", "export", "--format", kind, str(path), stdout=out)
    Organization.objects.all().delete()
    call_command("services", "import", str(path), stdout=out)

    assert exporting.export_json() == before
    assert "wrote" in out.getvalue()
    assert AuditEntry.objects.filter(
        object_type="services.catalogue", action="export"
    ).exists()


def test_import_with_problems_exits_with_error(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": "nope", "name": "x", "status": "active"}]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("services", "import", str(path), stderr=err)

    assert "bad.json [0], field id: 'nope' is not a UUID" in err.getvalue()


def test_import_of_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("services", "import", str(tmp_path / "none.json"))
