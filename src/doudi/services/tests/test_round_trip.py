"""Export then import gives the same catalogue; importing again changes nothing."""

from __future__ import annotations

import json

from doudi.services import exporting
from doudi.services.loading import import_file
from doudi.services.models import Organization, Service


def _clear() -> None:
    Organization.objects.all().delete()


def test_json_round_trip(catalogue):
    first = exporting.export_json()
    _clear()

    report = import_file(None, first, "catalogue.json")

    assert report.ok, [str(p) for p in report.problems]
    assert exporting.export_json() == first


def test_csv_round_trip(catalogue):
    json_before = exporting.export_json()
    archive = exporting.export_csv_zip()
    _clear()

    report = import_file(None, archive, "catalogue.zip")

    assert report.ok, [str(p) for p in report.problems]
    assert exporting.export_json() == json_before
    assert exporting.export_csv_zip() == archive


def test_reimport_changes_nothing(catalogue):
    content = exporting.export_json()

    report = import_file(None, content, "catalogue.json")

    assert report.ok
    assert not report.changed
    assert report.unchanged["service"] == Service.objects.count()
    assert json.loads(exporting.export_json()) == json.loads(content)
