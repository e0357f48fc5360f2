"""Documents: type and size checked, stored under DATA_DIR, read audited."""

from __future__ import annotations

import os
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from doudi.cases import documents, services
from doudi.cases.models import CaseDocument
from doudi.cases.tests.conftest import open_walk_in
from doudi.conftest import make_user
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%synthetic test document\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path


def _upload(content: bytes, name: str = "王测试-收入证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_pdf_stored_outside_web_root(staff, household, tmp_path, settings):
    case = open_walk_in(staff["worker"], household)

    document = services.add_document(
        staff["worker"], case.pk, kind="income", upload=_upload(PDF)
    )

    path = documents.path_of(document)
    assert PDF not in path.read_bytes()  # encrypted at rest
    assert documents.read_content(document) == PDF
    assert path.is_relative_to(tmp_path / "case-documents")
    assert not path.is_relative_to(settings.STATIC_ROOT)
    assert "王" not in path.name
    assert path.stat().st_mode & 0o077 == 0
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.original_name == "王测试-收入证明.pdf"


def test_type_from_content_not_name(staff, household):
    case = open_walk_in(staff["worker"], household)

    document = services.add_document(
        staff["worker"], case.pk, kind="identity", upload=_upload(PNG, "scan.pdf")
    )

    assert document.content_type == "image/png"
    assert document.stored_name.endswith(".png")


def test_other_type_rejected(staff, household, tmp_path):
    case = open_walk_in(staff["worker"], household)

    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        services.add_document(
            staff["worker"], case.pk, kind="other", upload=_upload(b"MZ\x90\x00exe")
        )
    assert not CaseDocument.objects.exists()
    assert not (tmp_path / "case-documents").exists()


@override_settings(CASE_DOCUMENT_MAX_BYTES=16)
def test_size_limit_from_settings(staff, household):
    case = open_walk_in(staff["worker"], household)

    with pytest.raises(ValidationError, match="largest accepted is 16 bytes"):
        services.add_document(
            staff["worker"], case.pk, kind="income", upload=_upload(PDF)
        )


def test_unknown_kind_rejected(staff, household):
    case = open_walk_in(staff["worker"], household)

    with pytest.raises(ValidationError, match="selfie"):
        services.add_document(
            staff["worker"], case.pk, kind="selfie", upload=_upload(PDF)
        )


def test_open_document_audited(staff, household):
    case = open_walk_in(staff["worker"], household)
    document = services.add_document(
        staff["worker"], case.pk, kind="income", upload=_upload(PDF)
    )

    opened, content = services.open_document(staff["district"], document.pk)

    assert opened == document
    assert content == PDF
    assert AuditEntry.objects.filter(
        action=AuditAction.READ, object_type="cases.document", actor=staff["district"]
    ).exists()


@pytest.mark.parametrize("who", ["outsider", "other_district", "auditor"])
def test_open_document_denied_outside_scope(staff, household, who):
    case = open_walk_in(staff["worker"], household)
    document = services.add_document(
        staff["worker"], case.pk, kind="income", upload=_upload(PDF)
    )

    with pytest.raises(PermissionDenied):
        services.open_document(staff[who], document.pk)
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, object_type="cases.document", actor=staff[who]
    ).exists()


def test_resident_uploads_but_cannot_open(staff, household):
    head = household.memberships.get(relationship="head").person
    resident = make_user("applicant", Role.RESIDENT, None, person=head)
    case = open_walk_in(staff["worker"], household)

    document = services.add_document(
        resident, case.pk, kind="income", upload=_upload(PDF)
    )

    with pytest.raises(PermissionDenied):
        services.open_document(resident, document.pk)


def test_orphan_file_swept_after_a_day(staff, household):
    case = open_walk_in(staff["worker"], household)
    kept = services.add_document(
        staff["worker"], case.pk, kind="income", upload=_upload(PDF)
    )
    folder = documents.path_of(kept).parent
    orphan = folder / "0123456789abcdef0123456789abcdef.pdf"
    orphan.write_bytes(b"left by a rolled-back upload")
    fresh = folder / "fedcba9876543210fedcba9876543210.pdf"
    fresh.write_bytes(b"an upload still running")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(orphan, (two_days_ago, two_days_ago))
    os.utime(documents.path_of(kept), (two_days_ago, two_days_ago))

    removed = documents.sweep_orphan_files()

    assert removed == 1
    assert not orphan.exists()
    assert fresh.exists()
    assert documents.read_content(kept) == PDF
