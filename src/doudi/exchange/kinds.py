"""The kinds of records that departments send, and which may be used unasked.

Monitoring kinds arrive as bulk feeds and may be used under the statutory
duty of dynamic monitoring without the household's authorisation. Every
other kind describes income or wealth: it is queried and stored only for
persons covered by a valid authorisation (see doudi.verification).
"""

from __future__ import annotations

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedKind(models.TextChoices):
    HOUSEHOLD_REGISTRATION = (
        "household_registration",
        _("Household registration events"),
    )
    MARRIAGE = "marriage", _("Marriage records")
    WAGES_TAX = "wages_tax", _("Wages and individual income tax")
    SOCIAL_INSURANCE = "social_insurance", _("Pensions and social insurance benefits")
    UNEMPLOYMENT = "unemployment", _("Unemployment registration and benefits")
    REAL_ESTATE = "real_estate", _("Real estate holdings")
    VEHICLE = "vehicle", _("Vehicles")
    FINANCIAL_ASSET = (
        "financial_asset",
        _("Deposits, securities, insurance and internet financial assets"),
    )
    BUSINESS_REGISTRATION = "business_registration", _("Business registration")
    HOUSING_FUND = "housing_fund", _("Housing provident fund")
    MEDICAL_CLAIM = "medical_claim", _("Medical insurance claims")
    DISABILITY_CERTIFICATE = "disability_certificate", _("Disability certificates")
    SCHOOL_ENROLMENT = "school_enrolment", _("School enrolment and fees")
    UTILITY_ARREARS = "utility_arrears", _("Utility arrears")


MONITORING_KINDS: Final = frozenset(
    {
        FeedKind.HOUSEHOLD_REGISTRATION,
        FeedKind.MARRIAGE,
        FeedKind.UNEMPLOYMENT,
        FeedKind.MEDICAL_CLAIM,
        FeedKind.DISABILITY_CERTIFICATE,
        FeedKind.SCHOOL_ENROLMENT,
        FeedKind.UTILITY_ARREARS,
    }
)
AUTHORISED_KINDS: Final = frozenset(FeedKind) - MONITORING_KINDS


def needs_authorisation(kind: str) -> bool:
    """Return whether records of `kind` may be stored only for authorised persons."""
    return kind not in MONITORING_KINDS
