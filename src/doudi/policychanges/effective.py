"""The parameters in force: the shipped YAML files plus every approved change.

Approved changes are applied in order of approval (``decided_at``, then id),
each with ``PolicyParameters.with_overrides``. A change therefore replaces
the entries of its level (city or district) dated on or after its own date,
including entries of earlier approved changes. The proposal page lists the
entries it replaces before anyone approves it.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Final

from django.db.models import Count, Max
from django.utils import timezone

from doudi.policy import ParameterNotFound, PolicyParameters
from doudi.policy.parameter_files import Entry
from doudi.policy.parameters import ParameterValue
from doudi.policy.schema import SCHEMA, Quality
from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.policychanges.values import from_json

# The officer's source is a document or decision, read in the original, so an
# approved value is official. The note states that doudi approved it.
APPROVED_QUALITY: Final = Quality.OFFICIAL
APPROVED_NOTE_PREFIX: Final = "Approved in doudi as change"

_lock = threading.Lock()
_cached: tuple[object, PolicyParameters] | None = None


@lru_cache(maxsize=1)
def shipped_parameters() -> PolicyParameters:
    """Return the parameters of the YAML files, read once per process."""
    return PolicyParameters.load()


def effective_parameters() -> PolicyParameters:
    """Return the shipped parameters with every approved change applied.

    The result is cached per process. Each call costs one aggregate query, which
    notices a new approval from any process. Approved changes are never
    changed again, so their count and latest approval time identify the set.
    """
    global _cached
    version = _approved_version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
    parameters = apply_changes(shipped_parameters(), _approved_changes())
    with _lock:
        _cached = (version, parameters)
    return parameters


def clear_cache() -> None:
    global _cached
    with _lock:
        _cached = None


def apply_changes(
    base: PolicyParameters, changes: list[ParameterChange]
) -> PolicyParameters:
    parameters = base
    for change in changes:
        parameters = apply_change(parameters, change)
    return parameters


def apply_change(
    parameters: PolicyParameters, change: ParameterChange, *, note: str | None = None
) -> PolicyParameters:
    """Return a copy with one change's value from its date, at its level."""
    spec = SCHEMA[change.name]
    return parameters.with_overrides(
        {change.name: [(change.effective_from, from_json(spec, change.value))]},
        city=change.city,
        district=change.district_code or None,
        source=change.source,
        quality=APPROVED_QUALITY,
        note=approved_note(change) if note is None else note,
    )


def approved_note(change: ParameterChange) -> str:
    decided = (
        timezone.localdate(change.decided_at).isoformat() if change.decided_at else ""
    )
    return f"{APPROVED_NOTE_PREFIX} {change.pk} on {decided}."


def replaced_entries(
    parameters: PolicyParameters, change: ParameterChange
) -> list[Entry]:
    """Return the entries of the change's level that approving it would replace."""
    record = parameters.city_record(change.city)
    if change.district_code:
        district = record.districts.get(change.district_code)
        histories = district.parameters if district is not None else {}
    else:
        histories = record.parameters
    history = histories.get(change.name, ())
    return [entry for entry in history if entry.effective_from >= change.effective_from]


def value_on_date(
    parameters: PolicyParameters, change: ParameterChange
) -> ParameterValue | None:
    """Return the value in force on the change's date, or None when there is none."""
    try:
        return parameters.get(
            change.name,
            city=change.city,
            on=change.effective_from,
            district=change.district_code or None,
        )
    except ParameterNotFound:
        return None


def _approved_changes() -> list[ParameterChange]:
    return list(
        ParameterChange.objects.filter(status=ChangeStatus.APPROVED).order_by(
            "decided_at", "pk"
        )
    )


def _approved_version() -> tuple[int, object]:
    summary = ParameterChange.objects.filter(status=ChangeStatus.APPROVED).aggregate(
        count=Count("pk"), latest=Max("decided_at")
    )
    return summary["count"], summary["latest"]
