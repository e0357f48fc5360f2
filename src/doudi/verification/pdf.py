"""Render a verification report as a PDF with an embedded Chinese font.

WeasyPrint lays out the same report data as the page, from its own
template. The font is Noto Sans CJK SC from Debian's fonts-noto-cjk,
found through fontconfig and embedded as a subset. The renderer fetches
nothing: the template has no external resources, and any URL is refused.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from django.template.loader import render_to_string
from django.utils.translation import get_language

from doudi.verification.queries import ReportPage

# WeasyPrint logs each layout step at INFO; one report needs none of them.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _reject_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the report PDF loads no external resources: {url}")


def render_report(report: ReportPage) -> bytes:
    """Return the PDF bytes of a report, in the active language."""
    # Imported here because importing it loads Pango.
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "verification/report_pdf.html",
        {"report": report, "language": get_language()},
    )
    pdf = HTML(string=html, url_fetcher=_reject_fetch).write_pdf()
    return bytes(pdf or b"")
