"""Documents of a case: checked on upload, kept under DATA_DIR, read audited.

Files live in DATA_DIR/case-documents/<case id>/ under random names, outside
the static and media roots, so no web server path reaches them. Each is
encrypted with the field keys (AES-GCM, bound to its stored name). Only
`open_document` reads them back, for staff in the case's region.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases import workflow
from doudi.cases.models import CaseAction, CaseDocument, DocumentKind
from doudi.cases.opening import load
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.keys import keyring
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

# The first bytes of each accepted type. The browser's content type is not
# trusted, because anyone can set it.
SIGNATURES: Final = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS: Final = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
MAX_NAME_CHARACTERS: Final = 200


def max_bytes() -> int:
    """Return the size limit (DOUDI_CASE_DOCUMENT_MAX_BYTES, 10 MiB by default)."""
    return int(settings.CASE_DOCUMENT_MAX_BYTES)


def storage_root() -> Path:
    return Path(settings.DATA_DIR) / "case-documents"


def path_of(document: CaseDocument) -> Path:
    return storage_root() / str(document.case_id) / document.stored_name


def sniff(head: bytes) -> str | None:
    """Return the content type that the file's first bytes show, if accepted."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def add_document(
    actor: User,
    case_id: int,
    *,
    kind: str,
    upload: UploadedFile,
    request: HttpRequest | None = None,
) -> CaseDocument:
    """Check and store an uploaded PDF, JPEG or PNG file with the case."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.ADD_DOCUMENT, None, request)
    with transaction.atomic():
        if kind not in DocumentKind.values:
            raise ValidationError(
                _("%(kind)s is not a kind of document; use one of: %(allowed)s.")
                % {"kind": kind, "allowed": ", ".join(DocumentKind.values)}
            )
        content_type = _check_upload(upload)
        stored_name = secrets.token_hex(16) + EXTENSIONS[content_type]
        folder = storage_root() / str(case.pk)
        digest, size = _write(upload, folder, stored_name)
        try:
            document = CaseDocument.objects.create(
                case=case,
                kind=kind,
                original_name=(upload.name or "")[:MAX_NAME_CHARACTERS],
                stored_name=stored_name,
                content_type=content_type,
                size=size,
                sha256=digest,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
            )
        except BaseException:
            # A rollback of the caller's transaction after this function
            # returned leaves the file behind; `sweep_orphan_files` removes it.
            (folder / stored_name).unlink(missing_ok=True)
            raise
        workflow.add_event(actor, case, CaseAction.ADD_DOCUMENT)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="cases.document",
            object_id=document.pk,
            purpose=workflow.purpose_for(actor),
            request=request,
            detail={"case": case.pk, "kind": kind, "size": size},
        )
        return document


def _check_upload(upload: UploadedFile) -> str:
    limit = max_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s bytes; the largest accepted is %(max)s bytes.")
            % {"size": size, "max": limit}
        )
    if size == 0:
        raise ValidationError(_("The file is empty; choose the scanned document."))
    upload.seek(0)
    content_type = sniff(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            _("The file is not a PDF, JPEG or PNG file; scan it to one of these.")
        )
    return content_type


def _context(stored_name: str) -> str:
    return f"cases.document:{stored_name}"


def _write(upload: UploadedFile, folder: Path, name: str) -> tuple[str, int]:
    """Encrypt the upload into folder/name; return the plain file's hash and size."""
    chunks: list[bytes] = []
    size = 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > max_bytes():
            raise ValidationError(
                _("The file is larger than %(max)s bytes.") % {"max": max_bytes()}
            )
        chunks.append(chunk)
    data = b"".join(chunks)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: a random name that exists already is a fault, never overwritten.
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as output:
        output.write(keyring().seal(data, context=_context(name)))
    return hashlib.sha256(data).hexdigest(), size


def read_content(document: CaseDocument) -> bytes:
    """Return the document's decrypted bytes (callers check access first)."""
    sealed = path_of(document).read_bytes()
    return keyring().unseal(sealed, context=_context(document.stored_name))


def sweep_orphan_files(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete stored files that no document row names; return how many.

    A file is written before its row commits, so only files older than
    `older_than` are removed, never one whose upload is still running.
    """
    root = storage_root()
    if not root.exists():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    known = set(CaseDocument.objects.values_list("case_id", "stored_name"))
    removed = 0
    for path in root.glob("*/*"):
        folder = path.parent.name
        owned = folder.isdigit() and (int(folder), path.name) in known
        if not owned and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        logger.info("removed %s case document files that no row holds", removed)
    return removed


def open_document(
    actor: User, document_id: int, request: HttpRequest | None = None
) -> tuple[CaseDocument, bytes]:
    """Return a document and its content for staff in the case's region, audited."""
    document = CaseDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404(_("No document %(pk)s.") % {"pk": document_id})
    case = load(document.case_id)
    # READER_ROLES are staff roles: a resident never opens the files.
    staff = actor.is_active and actor.role in workflow.READER_ROLES
    if not staff or not workflow.in_scope(actor, case):
        audit.record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="cases.document",
            object_id=document.pk,
            purpose=workflow.purpose_for(actor),
            request=request,
        )
        raise PermissionDenied(_("Only staff of this case's region open its files."))
    audit.record(
        actor=actor,
        action=AuditAction.READ,
        object_type="cases.document",
        object_id=document.pk,
        purpose=workflow.purpose_for(actor),
        request=request,
        detail={"case": case.pk},
    )
    return document, read_content(document)
