"""Rows of the parameter pages: values in force, histories and flags, translated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from doudi.policy import ParameterNotFound, PolicyParameters
from doudi.policy.parameter_files import CityRecord, Entry
from doudi.policy.parameters import ParameterValue
from doudi.policy.schema import SCHEMA, Precision, Quality
from doudi.policychanges.effective import APPROVED_NOTE_PREFIX
from doudi.policychanges.labels import parameter_label, unit_label
from doudi.policychanges.values import display


@dataclass(frozen=True)
class ParameterRow:
    """One parameter as the list page shows it; ``current`` is None without a value."""

    name: str
    label: str
    unit: str
    current: str | None
    effective_from: date | None
    source: str
    flags: list[str]
    district_overrides: int


@dataclass(frozen=True)
class HistoryRow:
    """One dated entry of a history: a level's file entry or an approved change."""

    level: str
    effective_from: date
    value: str
    source: str
    flags: list[str]
    in_force: bool


def parameter_rows(params: PolicyParameters, city: str, on: date) -> list[ParameterRow]:
    record = params.city_record(city)
    return [
        _parameter_row(params, city, on, name, _district_count(record, name))
        for name in SCHEMA
    ]


def _district_count(record: CityRecord, name: str) -> int:
    return sum(1 for d in record.districts.values() if name in d.parameters)


def _parameter_row(
    params: PolicyParameters, city: str, on: date, name: str, overrides: int
) -> ParameterRow:
    spec = SCHEMA[name]
    try:
        value = params.get(name, city=city, on=on)
    except ParameterNotFound:
        value = None
    return ParameterRow(
        name=name,
        label=parameter_label(name),
        unit=unit_label(spec.unit),
        current=display(spec, value.value) if value else None,
        effective_from=value.effective_from if value else None,
        source=value.source if value else "",
        flags=value_flags(value) if value else [],
        district_overrides=overrides,
    )


def value_flags(value: ParameterValue) -> list[str]:
    """Return the translated warnings for a value in force."""
    flags = _quality_flags({value.quality, value.national_quality}, value.note)
    return flags + _precision_flags(value.precision, value.effective_from)


def entry_flags(entry: Entry, *, national: bool = False) -> list[str]:
    qualities = {entry.quality, Quality.NATIONAL_DEFAULT if national else None}
    flags = _quality_flags(qualities, entry.note)
    return flags + _precision_flags(entry.precision, entry.effective_from)


def _quality_flags(qualities: set[Quality | None], note: str) -> list[str]:
    flags = []
    if Quality.NATIONAL_DEFAULT in qualities:
        flags.append(_("national default"))
    if Quality.SECONDARY in qualities:
        flags.append(_("secondary source"))
    if Quality.ASSUMED in qualities:
        flags.append(_("assumed: %(reason)s") % {"reason": note})
    if Quality.REFORM in qualities:
        flags.append(_("reform value"))
    if note.startswith(APPROVED_NOTE_PREFIX):
        flags.append(_("approved in doudi"))
    return flags


def _precision_flags(precision: Precision, effective_from: date) -> list[str]:
    match precision:
        case Precision.MONTH:
            return [_("date inexact (month known)")]
        case Precision.YEAR:
            return [_("date inexact (year known)")]
        case Precision.IN_FORCE_ON:
            return [
                _("date inexact (in force on %(date)s, start unknown)")
                % {"date": effective_from.isoformat()}
            ]
    return []


def history_rows(
    params: PolicyParameters, city: str, name: str, on: date
) -> list[HistoryRow]:
    """Return every dated entry of a parameter: districts, city, national."""
    spec = SCHEMA[name]
    record = params.city_record(city)
    levels: list[tuple[str, tuple[Entry, ...], bool]] = []
    for code, district in sorted(record.districts.items()):
        history = district.parameters.get(name, ())
        label = _("District %(code)s") % {"code": code}
        levels.append((f"{district.name} {label}".strip(), tuple(history), False))
    levels.append((_("City"), tuple(record.parameters.get(name, ())), False))
    levels.append((_("National default"), tuple(params.national.get(name, ())), True))

    rows: list[HistoryRow] = []
    for level, history, national in levels:
        in_force = _entry_in_force(history, on)
        rows.extend(
            HistoryRow(
                level=level,
                effective_from=entry.effective_from,
                value=display(spec, entry.value),
                source=entry.source,
                flags=entry_flags(entry, national=national),
                in_force=entry is in_force,
            )
            for entry in history
        )
    return rows


def _entry_in_force(history: tuple[Entry, ...], on: date) -> Entry | None:
    applicable = [entry for entry in history if entry.effective_from <= on]
    return applicable[-1] if applicable else None
