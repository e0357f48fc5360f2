"""Cycle stages of the privacy app."""

from __future__ import annotations

from datetime import date

from doudi.core.cycle import register_stage
from doudi.privacy import audit


@register_stage(
    "privacy.seal_audit",
    order=900,
    description="Seal new audit entries into the hash chain and verify it",
)
def seal_audit(month: date) -> dict[str, object]:
    sealed = audit.seal()
    report = audit.verify()
    if not report.intact:
        assert report.first_break is not None
        raise RuntimeError(
            f"audit chain broken at link {report.first_break.seq}: "
            f"{report.first_break.reason}"
        )
    return {"sealed": sealed, "links": report.links_checked}
