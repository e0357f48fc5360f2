"""Documents sent with a request: type by content, size, count, private storage."""

from __future__ import annotations

import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from doudi.conftest import signed_in
from doudi.portal import documents
from doudi.portal.models import HelpRequest, HelpRequestDocument
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

FORM = {
    "who": "me",
    "kind": "housing",
    "urgency": "this_week",
    "contact_method": "this_phone",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def _send(client: Client, *files: SimpleUploadedFile):
    url = client.get("/portal/help/")["Location"]
    return client.post(url + "send/", {**FORM, "documents": list(files)})


def test_pdf_and_png_stored_privately(resident: Client, settings, tmp_path):
    response = _send(
        resident,
        SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("photo.png", PNG, "image/png"),
    )
    assert response.status_code == 302
    stored = list(HelpRequestDocument.objects.order_by("pk"))
    assert [d.content_type for d in stored] == ["application/pdf", "image/png"]
    path = documents.path_of(stored[0])
    assert path.read_bytes() == PDF
    assert str(path).startswith(str(tmp_path))
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored[0].original_name == "scan.pdf"
    assert "scan" not in stored[0].stored_name


def test_wrong_type_rejected_by_content(resident: Client):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", "image/png")
    response = _send(resident, fake)
    assert response.status_code == 400
    assert b"is not a photo (JPEG or PNG) or a PDF file" in response.content
    assert not HelpRequestDocument.objects.exists()
    assert HelpRequest.objects.get().status == "draft"


def test_too_large_rejected(resident: Client, settings):
    settings.PORTAL_DOCUMENT_MAX_BYTES = 2 * 2**20
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (3 * 2**20), "application/pdf"
    )
    response = _send(resident, big)
    assert response.status_code == 400
    assert b"is too large (4 MB); send files up to 2 MB" in response.content
    assert not HelpRequestDocument.objects.exists()


def test_empty_file_rejected(resident: Client):
    response = _send(resident, SimpleUploadedFile("empty.pdf", b"", "application/pdf"))
    assert response.status_code == 400
    assert not HelpRequestDocument.objects.exists()


def test_too_many_files_rejected(resident: Client, settings):
    settings.PORTAL_DOCUMENTS_PER_REQUEST = 1
    response = _send(
        resident,
        SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
    )
    assert response.status_code == 400
    assert b"send at most 1" in response.content


def test_worker_downloads_document_audited(resident: Client, users, household):
    _send(resident, SimpleUploadedFile("scan.pdf", PDF, "application/pdf"))
    document = HelpRequestDocument.objects.get()
    worker = signed_in(users["owner"])
    response = worker.get(f"/portal/staff/documents/{document.pk}/")
    assert response.status_code == 200
    assert response.getvalue() == PDF
    entry = AuditEntry.objects.get(object_type="portal.document", action="read")
    assert entry.actor == users["owner"]


def test_resident_cannot_download_document(resident: Client):
    _send(resident, SimpleUploadedFile("scan.pdf", PDF, "application/pdf"))
    document = HelpRequestDocument.objects.get()
    response = resident.get(f"/portal/staff/documents/{document.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
