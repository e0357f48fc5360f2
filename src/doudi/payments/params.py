"""The policy parameters that awards and payments read, in one place."""

from __future__ import annotations

import logging
from datetime import date
from typing import Final

from django.conf import settings

from doudi.payments.prorate import Rule
from doudi.policy import ParameterNotFound
from doudi.policychanges.effective import effective_parameters

logger = logging.getLogger(__name__)

# A choice parameter, "whole_months" or "daily". Where no file sets it,
# DEFAULT_PRORATE applies: payment starts from the month after approval, so
# an award starts on a month's first day, and the month in which payment
# stops is paid in full.
PRORATE_PARAMETER: Final = "payment.prorate"
DEFAULT_PRORATE: Final = Rule.WHOLE_MONTHS
# Used only when no parameter file sets the value on that date (the national
# file starts these in 2021 and 2022), so the monthly cycle does not stop.
# Each equals the national rule (最低生活保障审核确认办法, Art. 31 and 33;
# 民发〔2022〕83号).
FALLBACK_MONTHS: Final = {
    "review.stable_months": 12,
    "review.irregular_months": 6,
    "recheck.after_death_months": 3,
    "exit.gradual_months": 6,
}


def months_parameter(name: str, on: date, district: str | None = None) -> int:
    """Return a parameter counted in months for the city (or a district) on a day."""
    try:
        value = effective_parameters().get(
            name, city=settings.DOUDI_CITY, on=on, district=district
        )
    except ParameterNotFound:
        fallback = FALLBACK_MONTHS[name]
        logger.warning("no value of %s on %s; using %d months", name, on, fallback)
        return fallback
    return value.as_int()


def prorate_rule(month: date, district: str) -> Rule:
    """Return the prorating rule of a district's roll for a month."""
    try:
        value = effective_parameters().get(
            PRORATE_PARAMETER, city=settings.DOUDI_CITY, on=month, district=district
        )
    except ParameterNotFound:
        return DEFAULT_PRORATE
    return Rule(value.as_str())
