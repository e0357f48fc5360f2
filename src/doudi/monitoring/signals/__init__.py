"""Signal definitions: loaded from the city's YAML file, evaluated with Polars.

`definitions()` and `checks()` read Django settings to find the file; the
modules `model`, `loader` and `evaluate` import no Django.

The file is `settings.MONITORING_SIGNALS_FILE` when that is set, else
`<city>.yaml` beside this module for `settings.DOUDI_CITY` (lower case) when
such a file exists, else `default.yaml`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from doudi.monitoring.signals.loader import SignalFileError, load_signals
from doudi.monitoring.signals.model import (
    CheckDefinition,
    SignalDefinition,
    SignalSet,
)

__all__ = [
    "CheckDefinition",
    "SignalDefinition",
    "SignalFileError",
    "SignalSet",
    "checks",
    "definitions",
    "reason",
    "signal_file",
    "signal_set",
]

DIRECTORY = Path(__file__).resolve().parent


def signal_file() -> Path:
    """Return the path of the signal file this instance uses."""
    from django.conf import settings

    configured = str(getattr(settings, "MONITORING_SIGNALS_FILE", "") or "")
    if configured:
        return Path(configured)
    city_file = DIRECTORY / f"{str(settings.DOUDI_CITY).lower()}.yaml"
    return city_file if city_file.is_file() else DIRECTORY / "default.yaml"


def signal_set() -> SignalSet:
    """Return the loaded signal file; raise SignalFileError if it is malformed."""
    return _load(signal_file())


@cache
def _load(path: Path) -> SignalSet:
    from doudi.exchange.kinds import MONITORING_KINDS

    allowed = {str(kind) for kind in MONITORING_KINDS}
    return load_signals(path, allowed_exchange_kinds=allowed)


def definitions() -> list[SignalDefinition]:
    """Return the city's signals in file order, with YAML weights."""
    return list(signal_set().signals)


def checks() -> list[CheckDefinition]:
    """Return the missed-assistance and exit checks, one per scheme."""
    return list(signal_set().checks)


def reason(code: str, lang: str) -> str:
    """Return the plain-words reason of a warning's `reason_code` in `lang`.

    An unknown code (a signal removed from the file since) returns the code.
    """
    found = signal_set()
    if code in found.by_code:
        return found.by_code[code].reason(lang)
    for check in found.checks:
        if check.code == code:
            return check.reason(lang)
    return code
