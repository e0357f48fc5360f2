"""Parse one imported field value, or raise FieldError with the fix.

Values come as text from CSV files and as JSON values from JSON files, so
every parser takes either. An empty string and null both mean "no value".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.services.choices import Weekday

Parser = Callable[[Any], Any]

_OFFSET = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


class FieldError(ValueError):
    """A value that cannot be stored; the message names the value and the fix."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool | dict | list):
        raise FieldError(
            _("%(value)s is not text; give a text value.") % {"value": _show(value)}
        )
    text_value = str(value)
    if "\x00" in text_value:
        raise FieldError(_("The text contains a NUL character; remove it."))
    return text_value.strip()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = _scalar_text(value)
        if len(result) > max_length:
            raise FieldError(
                _("The text has %(length)d characters; shorten it to %(max)d.")
                % {"length": len(result), "max": max_length}
            )
        return result

    return parse


def identifier(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(_scalar_text(value))
    except ValueError:
        raise FieldError(
            _("%(value)s is not a UUID; write it like %(example)s.")
            % {"value": _show(value), "example": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"}
        ) from None


def choice(choices: type[TextChoices]) -> Parser:
    def parse(value: Any) -> str:
        result = _scalar_text(value)
        if result not in choices.values:
            raise FieldError(
                _("%(value)s is not allowed; use one of: %(allowed)s.")
                % {"value": _show(value), "allowed": ", ".join(choices.values)}
            )
        return result

    return parse


def integer(minimum: int, maximum: int) -> Parser:
    def parse(value: Any) -> int:
        try:
            number = Decimal(_scalar_text(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number != number.to_integral_value():
            raise FieldError(
                _("%(value)s is not a whole number.") % {"value": _show(value)}
            )
        if not minimum <= number <= maximum:
            raise FieldError(
                _("%(value)s is out of range; give a number from %(min)d to %(max)d.")
                % {"value": _show(value), "min": minimum, "max": maximum}
            )
        return int(number)

    return parse


def coordinate(limit: int) -> Parser:
    """Parse decimal degrees (WGS 84) to six places, within ±`limit`."""

    def parse(value: Any) -> Decimal:
        try:
            number = Decimal(_scalar_text(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or abs(number) > limit:
            raise FieldError(
                _(
                    "%(value)s is not a coordinate; give decimal degrees from "
                    "-%(limit)d to %(limit)d."
                )
                % {"value": _show(value), "limit": limit}
            )
        return number.quantize(Decimal("0.000001"))

    return parse


def day(value: Any) -> date:
    try:
        return date.fromisoformat(_scalar_text(value))
    except ValueError:
        raise FieldError(
            _("%(value)s is not a date; write it as YYYY-MM-DD.")
            % {"value": _show(value)}
        ) from None


def moment(value: Any) -> datetime:
    try:
        result = datetime.fromisoformat(_scalar_text(value).replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(
            _(
                "%(value)s is not a date and time; write it as "
                "YYYY-MM-DDTHH:MM:SS+08:00."
            )
            % {"value": _show(value)}
        ) from None
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


def clock(value: Any) -> tuple[time, int | None]:
    """Parse HH:MM with an optional UTC offset; return the time and the offset.

    The offset is in minutes east of UTC, or None when the value has none.
    """
    match = _OFFSET.match(_scalar_text(value))
    hour, minute = (int(match[1]), int(match[2])) if match else (99, 99)
    if match is None or hour > 23 or minute > 59:
        raise FieldError(
            _(
                "%(value)s is not a time of day; write it as HH:MM, for example "
                "09:00 or 09:00+08:00."
            )
            % {"value": _show(value)}
        )
    return time(hour, minute), _offset_minutes(match[4])


def _offset_minutes(suffix: str | None) -> int | None:
    if suffix is None:
        return None
    if suffix == "Z":
        return 0
    digits = suffix[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return -minutes if suffix[0] == "-" else minutes


def shift(moment_of_day: time, minutes: int) -> time:
    base = datetime.combine(date(2000, 1, 3), moment_of_day)
    return (base + timedelta(minutes=minutes)).time()


def email(value: Any) -> str:
    result = _scalar_text(value)
    try:
        EmailValidator()(result)
    except ValidationError:
        raise FieldError(
            _("%(value)s is not an email address.") % {"value": _show(value)}
        ) from None
    return result


def web_address(value: Any) -> str:
    result = _scalar_text(value)
    try:
        URLValidator(schemes=["http", "https"])(result)
    except ValidationError:
        raise FieldError(
            _("%(value)s is not a web address; start it with https://.")
            % {"value": _show(value)}
        ) from None
    if len(result) > 200:
        raise FieldError(_("The web address is longer than 200 characters."))
    return result


def weekdays(value: Any) -> str:
    """Parse an iCalendar BYDAY list such as "MO,TU" or "2MO,-1FR"."""
    parts = [part.strip().upper() for part in _scalar_text(value).split(",")]
    if not all(_BYDAY.match(part) for part in parts):
        raise FieldError(
            _(
                "%(value)s is not a list of days; write two-letter days separated "
                "by commas, such as MO,TU,FR (allowed: %(days)s)."
            )
            % {"value": _show(value), "days": ",".join(Weekday.values)}
        )
    return ",".join(parts)


def month_days(value: Any) -> str:
    parts = [part.strip() for part in _scalar_text(value).split(",")]
    for part in parts:
        if not re.fullmatch(r"-?\d{1,2}", part) or not 1 <= abs(int(part)) <= 31:
            raise FieldError(
                _(
                    "%(value)s is not a list of days of the month; write numbers "
                    "from 1 to 31 (or -1 to -31 from the end) separated by commas."
                )
                % {"value": _show(value)}
            )
    return ",".join(parts)


def country(value: Any) -> str:
    result = _scalar_text(value).upper()
    if not re.fullmatch(r"[A-Z]{2}", result):
        raise FieldError(
            _("%(value)s is not a two-letter ISO 3166-1 country code, such as CN.")
            % {"value": _show(value)}
        )
    return result
