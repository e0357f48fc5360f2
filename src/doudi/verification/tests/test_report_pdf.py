"""The report PDF: made when opened, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from doudi.conftest import signed_in
from doudi.verification import services
from doudi.verification.models import RequestPurpose
from doudi.verification.tests.factories import (
    AS_OF,
    alice,
    authorise,
    declare_income,
    fact,
)

pytestmark = pytest.mark.django_db
CHINESE_HEADING = "家庭经济状况核对报告"


@pytest.fixture(autouse=True)
def _second_factor_off(settings) -> None:
    settings.OTP_REQUIRED = False


@pytest.fixture
def report(users, household):
    authorise(users["owner"], household)
    declare_income(alice(), "wages", 250_000, date(2024, 1, 1))
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))
    request = services.verify_household(
        users["owner"], household, as_of=AS_OF, purpose=RequestPurpose.REVIEW
    )
    return request.report


def _pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    )
    return result.stdout


def _get_pdf(users, report, language: str):
    client = signed_in(users["owner"])
    client.cookies["django_language"] = language
    return client.get(f"/verification/reports/{report.pk}.pdf")


def test_pdf_has_figures_and_cjk_font(users, report, tmp_path) -> None:
    response = _get_pdf(users, report, "en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content, tmp_path)
    assert "Household economic verification report" in text
    assert "CONFIDENTIAL" in text
    assert "3,123.45" in text
    assert "2,500.00" in text
    assert "623.45" in text
    assert "示例一社区" in text
    assert "王测试" in text
    assert "市税务局" in text
    fonts = _fonts(response.content, tmp_path)
    assert "NotoSansCJK" in fonts.replace("-", "")


def test_pdf_heading_in_chinese(users, report, tmp_path) -> None:
    response = _get_pdf(users, report, "zh-hans")

    text = _pdf_text(response.content, tmp_path)
    assert "3,123.45" in text
    assert CHINESE_HEADING in text
