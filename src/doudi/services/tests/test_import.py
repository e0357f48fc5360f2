"""Import: problems name file, line, field and fix; a failed import writes nothing."""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry
from doudi.services import exporting, permissions
from doudi.services.loading import import_file
from doudi.services.models import Organization, Phone, Schedule, Service
from doudi.services.tests.test_pages import signed_in


@pytest.fixture
def document(catalogue):
    return json.loads(exporting.export_json())


def _import(document, name="catalogue.json"):
    return import_file(None, json.dumps(document, ensure_ascii=False).encode(), name)


def _messages(report):
    return [str(problem) for problem in report.problems]


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, rows in files.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            archive.writestr(name, text.getvalue())
    return buffer.getvalue()


def _snapshot():
    return exporting.export_json()


def test_changed_record_is_updated_and_audited(document):
    document[0]["services"][0]["name"] = "改过的名称"
    document[0]["services"][0]["last_modified"] = None
    service_id = document[0]["services"][0]["id"]

    report = _import(document)

    assert report.ok
    assert report.updated["service"] == 1
    assert report.created.total() == 0
    service = Service.objects.get(pk=service_id)
    assert service.name == "改过的名称"
    entry = AuditEntry.objects.get(
        object_type="services.service", object_id=service_id, action=AuditAction.UPDATE
    )
    assert entry.detail["fields"] == ["last_modified", "name"]


def test_csv_problem_names_file_and_line(catalogue):
    before = _snapshot()
    archive = _zip(
        {
            "organizations.csv": [
                ["id", "name", "description", "legal_status"],
                ["6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b01", "新机构", "说明", "charity"],
            ],
            "services.csv": [
                ["id", "organization_id", "name", "status"],
                [
                    "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b02",
                    "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b01",
                    "好的服务",
                    "active",
                ],
                [
                    "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b03",
                    "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b01",
                    "坏的服务",
                    "open",
                ],
            ],
        }
    )

    report = import_file(None, archive, "upload.zip")

    assert not report.ok
    assert _messages(report) == [
        "services.csv line 3, field status: 'open' is not allowed; use one of: "
        "active, inactive, defunct, temporarily closed."
    ]
    assert _snapshot() == before
    assert not Organization.objects.filter(name="新机构").exists()


def test_json_problems_name_the_path(document):
    place = document[0]["locations"][0]
    place["latitude"] = 123
    document[0]["services"].append(
        {"id": "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b05", "status": "active"}
    )
    last = len(document[0]["services"]) - 1

    report = _import(document, "upload.json")

    messages = _messages(report)
    assert (
        "upload.json [0].locations[0], field latitude: 123 is not a coordinate; "
        "give decimal degrees from -90 to 90." in messages
    )
    assert (
        f"upload.json [0].services[{last}], field name: The value is missing; "
        "fill in name." in messages
    )


def test_existing_record_may_leave_out_required_fields(document):
    del document[0]["services"][0]["name"]

    report = _import(document)

    assert report.ok
    assert not report.changed


def test_unknown_reference_is_a_problem(catalogue):
    service = {
        "id": "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b09",
        "organization_id": "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b99",
        "name": "孤儿服务",
        "status": "active",
    }

    report = _import([service])

    assert _messages(report) == [
        "catalogue.json [0], field organization_id: No organization has id "
        "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b99 in the file or the catalogue; "
        "add it or correct the id."
    ]


def test_new_organization_needs_a_type(db):
    organization = {
        "id": "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b10",
        "name": "无类型机构",
        "description": "说明",
    }

    report = _import([organization])

    assert len(report.problems) == 1
    assert "has no type" in _messages(report)[0]
    assert "doudi-organization-type" in _messages(report)[0]


def test_unknown_region_code_is_a_problem(document):
    attribute = document[0]["attributes"][1]
    attribute["taxonomy_term"]["code"] = "310199"
    attribute["taxonomy_term"]["id"] = "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b11"
    attribute["taxonomy_term_id"] = "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b11"

    report = _import(document)

    assert any(
        "Region code 310199 is not in the registry" in m for m in _messages(report)
    )


def test_conflicting_copies_are_a_problem(document):
    service = next(s for s in document[0]["services"] if s["service_at_locations"])
    service["service_at_locations"][0]["location"]["name"] = "另一个名字"

    report = _import(document)

    assert not report.ok
    assert "has a different value" in _messages(report)[0]


def test_child_lists_replace_or_keep(document):
    service = document[0]["services"][0]
    service_id = service["id"]
    partial = copy.deepcopy(document)
    service["schedules"] = []
    del partial[0]["services"][0]["schedules"]
    partial[0]["services"][0]["schedules_note"] = "ignored key"

    first = _import(partial)
    second = _import(document)

    assert first.ok
    assert first.deleted.total() == 0
    assert "service.schedules_note" in first.ignored
    assert second.deleted["schedule"] == 1
    assert not Schedule.objects.filter(service_id=service_id).exists()


def test_partial_csv_updates_one_column_and_deletes_nothing(catalogue):
    organization = Organization.objects.order_by("name").first()
    assert organization is not None
    phones = Phone.objects.count()
    archive = _zip(
        {
            "organizations.csv": [
                ["id", "name", "tax_status"],
                [str(organization.id), "只改名称", "exempt"],
            ]
        }
    )

    report = import_file(None, archive, "names.zip")

    assert report.ok
    assert report.updated["organization"] == 1
    assert "organizations.csv: tax_status" in report.ignored
    organization.refresh_from_db()
    assert organization.name == "只改名称"
    assert organization.description
    assert Phone.objects.count() == phones


def test_opening_time_offset_is_converted(document):
    schedule = document[0]["services"][0]["schedules"][0]
    schedule["opens_at"] = "01:00Z"
    schedule["timezone"] = 8

    report = _import(document)

    assert report.ok
    opens_at = Schedule.objects.get(pk=schedule["id"]).opens_at
    assert opens_at is not None
    assert opens_at.hour == 9


def test_unreadable_files_are_reported(db):
    not_json = import_file(None, b"{not json", "broken.json")
    not_utf8 = import_file(None, "名称".encode("gb18030"), "gbk.json")
    empty_zip = import_file(None, _zip({"readme.txt": [["x"]]}), "other.zip")

    assert "not valid JSON" in _messages(not_json)[0]
    assert "not UTF-8" in _messages(not_utf8)[0]
    assert "none of the HSDS files" in _messages(empty_zip)[0]


def test_only_city_admin_imports(users, document):
    content = json.dumps(document).encode()

    with pytest.raises(permissions.NotAllowed):
        import_file(users["district"], content, "catalogue.json")

    report = import_file(users["city"], content, "catalogue.json")
    assert report.ok
    batch = AuditEntry.objects.get(
        object_type="services.catalogue", actor__username="city"
    )
    assert batch.action == AuditAction.BATCH
    assert batch.record_count


def test_import_page_lists_problems(users):
    upload = SimpleUploadedFile("bad.json", b'[{"id": "x", "name": "n"}]')
    response = signed_in(users["city"]).post(
        reverse("services:transfer"), {"file": upload}
    )
    refused = signed_in(users["district"]).post(reverse("services:transfer"), {})

    assert response.status_code == 400
    assert b"bad.json [0], field id: &#x27;x&#x27; is not a UUID" in response.content
    assert b"nothing was imported" in response.content
    assert refused.status_code == 403


def test_deeply_nested_json_is_a_problem(db):
    report = import_file(None, b"[" * 100_000 + b"]" * 100_000, "deep.json")

    assert _messages(report) == ["deep.json: The JSON is nested too deeply to read."]


def test_nul_character_is_a_problem(db):
    organization = {
        "id": "6a1f1d43-5a0c-4d8e-9a53-0d8a9d0a1b12",
        "name": "名称\x00",
        "description": "说明",
        "legal_status": "charity",
    }

    report = _import([organization])

    assert _messages(report) == [
        "catalogue.json [0], field name: The text contains a NUL character; remove it."
    ]
