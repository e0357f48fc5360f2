"""Parameter values as an officer types them, as JSON, and as shown on a page.

``parse_value`` turns the text of a form field into the stored form that
``doudi.policy.schema.validate_value`` accepts, and raises a translated
ValidationError that names the value and says what to type instead. Values
are kept in JSON with decimals as strings, so that nothing passes through a
float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from doudi.policy.schema import (
    TIER_FIELDS,
    ParameterData,
    ParameterSpec,
    Unit,
    ValueKind,
    validate_value,
)

DECIMAL_TEXT: Final = re.compile(r"^[0-9]+(\.[0-9]+)?$")
INTEGER_TEXT: Final = re.compile(r"^[0-9]+$")
MONEY_UNITS: Final = frozenset({Unit.YUAN_PER_PERSON_MONTH, Unit.YUAN_PER_PERSON_YEAR})
FEN_PLACES: Final = 2
NEGATIVE_TEXT: Final = re.compile(r"^-\s*[0-9]+(\.[0-9]+)?$")
# Officers may separate list items with an ASCII or a Chinese comma, or 、.
LIST_SEPARATORS: Final = re.compile(r"[,，、]")
TRUE_WORDS: Final = frozenset({"true", "yes", "是"})
FALSE_WORDS: Final = frozenset({"false", "no", "否"})
# More digits than any yuan amount or ratio needs; longer text is a typing error.
MAX_NUMBER_LENGTH: Final = 20


def format_hint(spec: ParameterSpec) -> str:
    """Return how to type a value of this parameter, with an example."""
    match spec.kind:
        case ValueKind.DECIMAL:
            return _("A number of at least 0, such as 1330 or 1.5.")
        case ValueKind.INTEGER:
            return _("A whole number of at least 0, such as 12.")
        case ValueKind.BOOLEAN:
            return _("true or false.")
        case ValueKind.CHOICE:
            return _("One of: %(choices)s.") % {"choices": ", ".join(spec.choices)}
        case ValueKind.CHOICE_LIST:
            return _("Items separated by commas, from: %(choices)s.") % {
                "choices": ", ".join(spec.choices)
            }
        case ValueKind.AMOUNT_BY_CHOICE:
            return _(
                "Category=yuan pairs separated by commas, such as elderly=100, "
                "minor=150; categories: %(choices)s."
            ) % {"choices": ", ".join(spec.choices)}
        case ValueKind.TIERS:
            return _(
                "Tiers as share:pays pairs separated by commas, such as "
                "0.5:1, 1:0.5 (income up to 0.5 of the standard pays 1 standard)."
            )


def parse_value(spec: ParameterSpec, text: str) -> ParameterData:
    """Parse an officer's text into the value's stored form.

    Raises ValidationError naming the text and the fix.
    """
    text = text.strip()
    if not text:
        raise ValidationError(
            _("Enter a value. %(hint)s") % {"hint": format_hint(spec)}
        )
    raw = _parse_raw(spec, text)
    try:
        return validate_value(spec, raw)
    except ValueError as error:
        # The structural checks of the schema (tier order, repeats) are
        # rechecked here; their message is English text from the policy package.
        raise ValidationError(
            _("“%(text)s” is not a valid value: %(reason)s. %(hint)s")
            % {"text": text, "reason": error, "hint": format_hint(spec)}
        ) from error


def _parse_raw(spec: ParameterSpec, text: str) -> object:
    match spec.kind:
        case ValueKind.DECIMAL:
            return _decimal(text, spec)
        case ValueKind.INTEGER:
            return _integer(text, spec)
        case ValueKind.BOOLEAN:
            return _boolean(text)
        case ValueKind.CHOICE:
            return _choice(text, spec.choices)
        case ValueKind.CHOICE_LIST:
            return _choice_list(text, spec.choices)
        case ValueKind.AMOUNT_BY_CHOICE:
            return _amounts(text, spec)
        case ValueKind.TIERS:
            return _tiers(text, spec)


def _decimal(text: str, spec: ParameterSpec) -> Decimal:
    if NEGATIVE_TEXT.match(text):
        raise ValidationError(
            _("“%(text)s” is negative: enter a number of at least 0.") % {"text": text}
        )
    if len(text) > MAX_NUMBER_LENGTH or not DECIMAL_TEXT.match(text):
        raise ValidationError(
            _("“%(text)s” is not a number. %(hint)s")
            % {"text": text, "hint": format_hint(spec)}
        )
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    if (
        spec.unit in MONEY_UNITS
        and isinstance(exponent, int)
        and -exponent > FEN_PLACES
    ):
        raise ValidationError(
            _(
                "“%(text)s” has more than two decimals: amounts of money are "
                "set to the fen, such as 1800.50."
            )
            % {"text": text}
        )
    return value


def _integer(text: str, spec: ParameterSpec) -> int:
    if NEGATIVE_TEXT.match(text):
        raise ValidationError(
            _("“%(text)s” is negative: enter a whole number of at least 0.")
            % {"text": text}
        )
    if DECIMAL_TEXT.match(text) and not INTEGER_TEXT.match(text):
        raise ValidationError(
            _("“%(text)s” is not a whole number: enter it without a decimal point.")
            % {"text": text}
        )
    if len(text) > MAX_NUMBER_LENGTH or not INTEGER_TEXT.match(text):
        raise ValidationError(
            _("“%(text)s” is not a whole number. %(hint)s")
            % {"text": text, "hint": format_hint(spec)}
        )
    return int(text)


def _boolean(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(
        _("“%(text)s” is not true or false: enter true or false.") % {"text": text}
    )


def _choice(text: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise ValidationError(
            _("“%(text)s” is not allowed here: enter one of %(choices)s.")
            % {"text": text, "choices": ", ".join(choices)}
        )
    return text


def _choice_list(text: str, choices: tuple[str, ...]) -> list[str]:
    items = [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
    return [_choice(item, choices) for item in items]


def _pairs(text: str, separator: str, spec: ParameterSpec) -> list[tuple[str, str]]:
    pairs = []
    for item in LIST_SEPARATORS.split(text):
        if not item.strip():
            continue
        key, found, value = item.partition(separator)
        if not found:
            raise ValidationError(
                _("“%(item)s” is not a pair. %(hint)s")
                % {"item": item.strip(), "hint": format_hint(spec)}
            )
        pairs.append((key.strip(), value.strip()))
    return pairs


def _amounts(text: str, spec: ParameterSpec) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    for key, value in _pairs(text, "=", spec):
        category = _choice(key, spec.choices)
        if category in amounts:
            raise ValidationError(
                _("%(category)s is given twice: give each category once.")
                % {"category": category}
            )
        amounts[category] = _decimal(value, spec)
    return amounts


def _tiers(text: str, spec: ParameterSpec) -> list[dict[str, Decimal]]:
    up_to, pays = TIER_FIELDS
    return [
        {up_to: _decimal(share, spec), pays: _decimal(paid, spec)}
        for share, paid in _pairs(text, ":", spec)
    ]


def to_json(value: ParameterData) -> Any:
    """Return a value in JSON form: decimals become their exact text."""
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


def from_json(spec: ParameterSpec, data: Any) -> ParameterData:
    """Return the stored form of a value kept by ``to_json``, checked again."""
    return validate_value(spec, _decimals(spec, data))


def _decimals(spec: ParameterSpec, data: Any) -> Any:
    match spec.kind:
        case ValueKind.DECIMAL:
            return Decimal(data)
        case ValueKind.AMOUNT_BY_CHOICE:
            return {key: Decimal(amount) for key, amount in data.items()}
        case ValueKind.TIERS:
            return [{key: Decimal(share) for key, share in t.items()} for t in data]
    return data


def display(spec: ParameterSpec, value: ParameterData) -> str:
    """Return a value as the officer types it, so it can be pasted back."""
    match spec.kind:
        case ValueKind.BOOLEAN:
            return "true" if value else "false"
        case ValueKind.CHOICE_LIST:
            assert isinstance(value, list)
            return ", ".join(str(item) for item in value)
        case ValueKind.AMOUNT_BY_CHOICE:
            assert isinstance(value, dict)
            return ", ".join(
                f"{key}={to_json(amount)}" for key, amount in value.items()
            )
        case ValueKind.TIERS:
            assert isinstance(value, list)
            up_to, pays = TIER_FIELDS
            return ", ".join(
                f"{to_json(tier[up_to])}:{to_json(tier[pays])}"
                for tier in value
                if isinstance(tier, dict)
            )
    return str(to_json(value))


def _decimal_text(value: Decimal) -> str:
    """Return the shortest exact text: 1800.50 becomes "1800.5", 1.8E+3 "1800"."""
    return format(value.normalize(), "f")
