"""Documents sent with a help request: checked like case documents, kept private.

The type check (first bytes, never the browser's content type) and the
accepted types come from `doudi.cases.documents`. Files live under
DATA_DIR/portal-documents/<request id>/ with random names, outside the
static and media roots, so no web server path reaches them.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases.documents import EXTENSIONS, MAX_NAME_CHARACTERS, sniff
from doudi.portal.limits import limit
from doudi.portal.models import HelpRequest, HelpRequestDocument


def storage_root() -> Path:
    return Path(settings.DATA_DIR) / "portal-documents"


def path_of(document: HelpRequestDocument) -> Path:
    return storage_root() / str(document.request_id) / document.stored_name


def check_uploads(uploads: list[UploadedFile]) -> list[str]:
    """Return each file's content type, or raise ValidationError naming the file."""
    most = limit("PORTAL_DOCUMENTS_PER_REQUEST")
    if len(uploads) > most:
        raise ValidationError(
            _("You chose %(count)d files; send at most %(max)d.")
            % {"count": len(uploads), "max": most}
        )
    return [check_upload(upload) for upload in uploads]


def check_upload(upload: UploadedFile) -> str:
    largest = limit("PORTAL_DOCUMENT_MAX_BYTES")
    name = (upload.name or "")[:60]
    size = upload.size or 0
    if size > largest:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)d MB); send files up to %(max)d MB.")
            % {"name": name, "size": -(-size // 2**20), "max": largest // 2**20}
        )
    if size == 0:
        raise ValidationError(
            _("“%(name)s” is empty; choose another file.") % {"name": name}
        )
    upload.seek(0)
    content_type = sniff(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a photo (JPEG or PNG) or a PDF file; "
                "send one of these."
            )
            % {"name": name}
        )
    return content_type


def store(
    request: HelpRequest, upload: UploadedFile, content_type: str
) -> HelpRequestDocument:
    """Write a checked upload to disk and record it with the request."""
    stored_name = secrets.token_hex(16) + EXTENSIONS[content_type]
    folder = storage_root() / str(request.pk)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / stored_name
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as output:
        for chunk in upload.chunks():
            size += len(chunk)
            digest.update(chunk)
            output.write(chunk)
    try:
        return HelpRequestDocument.objects.create(
            request=request,
            original_name=(upload.name or "")[:MAX_NAME_CHARACTERS],
            stored_name=stored_name,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_at=timezone.now(),
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
