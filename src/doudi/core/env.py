"""Typed readers for settings that come from environment variables.

Each reader fails loudly with the variable's name and the fix, so a
misconfigured server stops at start-up instead of running with a guess.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class EnvError(ImproperlyConfigured):
    """A setting read from the environment is missing or invalid."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    return (os.environ if environ is None else environ).get(name)


def env_str(
    name: str,
    default: str | None = None,
    *,
    required: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Read a string; `required` makes an unset or empty value an error."""
    value = _raw(name, environ)
    if value is None or value == "":
        if required or default is None:
            raise EnvError(f"{name} is not set: set it in the environment.")
        return default
    return value


def env_bool(
    name: str, default: bool, *, environ: Mapping[str, str] | None = None
) -> bool:
    """Read a boolean; unset or blank means `default`, like the other readers.

    A blank value must not read as false, because `DOUDI_OTP_REQUIRED=` in a
    deployment file would then turn the second factor off.
    """
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvError(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Read a comma-separated list; blanks between commas are dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str,
    default: str,
    choices: type[StrEnum],
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    value = _raw(name, environ) or default
    allowed = [member.value for member in choices]
    if value not in allowed:
        raise EnvError(f"{name}={value!r} is invalid: use one of {', '.join(allowed)}.")
    return value
