"""Dated policy parameters of each city, with district overrides and national defaults.

``PolicyParameters.get`` looks a parameter up on a date in three layers: the
district's override, then the city's value, then the national default. Each
layer contains a history of dated entries, and the entry that applies is the
latest one whose ``effective_from`` is on or before the date. Nothing is
interpolated or guessed: when no layer has such an entry, ``get`` raises
ParameterNotFound. This module does not import Django.
"""

from __future__ import annotations

import copy
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final, NamedTuple, cast

from doudi.policy.parameter_files import (
    CityRecord,
    DistrictRecord,
    Entry,
    Histories,
    ParameterFileError,
    dump_city,
    read_directory,
    suggest,
)
from doudi.policy.schema import (
    SCHEMA,
    ParameterData,
    ParameterSpec,
    Precision,
    Quality,
    Unit,
    ValueKind,
    validate_value,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "ParameterFileError",
    "ParameterNotFound",
    "ParameterValue",
    "PolicyParameters",
    "Precision",
    "Quality",
    "Unit",
]

DEFAULT_DIRECTORY: Final = Path(__file__).with_name("params")
REFORM_SOURCE: Final = "reform"


@dataclass(frozen=True)
class ParameterValue:
    """A parameter's value on a date, with where it came from and how far to trust it.

    ``city`` is the city asked for. ``district`` is the district whose override
    applied, or None when the value is set at city level or is a national default.
    For a national default, ``quality`` is NATIONAL_DEFAULT and
    ``national_quality`` keeps the quality of the national entry itself.
    """

    name: str
    city: str
    district: str | None
    value: ParameterData
    unit: Unit
    effective_from: date
    precision: Precision
    quality: Quality
    source: str
    note: str = ""
    national_quality: Quality | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        """English warnings for explanations: source, assumption and date caveats."""
        qualities = {self.quality, self.national_quality}
        flags: list[str] = []
        if Quality.NATIONAL_DEFAULT in qualities:
            flags.append("national default")
        if Quality.REFORM in qualities:
            flags.append("reform value")
        if Quality.SECONDARY in qualities:
            flags.append("secondary source")
        if Quality.ASSUMED in qualities:
            flags.append(f"assumed: {self.note}")
        match self.precision:
            case Precision.MONTH:
                flags.append("date inexact (month known)")
            case Precision.YEAR:
                flags.append("date inexact (year known)")
            case Precision.IN_FORCE_ON:
                flags.append(
                    f"date inexact (in force on {self.effective_from}, start unknown)"
                )
        return tuple(flags)

    # Typed access for callers checked by mypy. Each raises TypeError when the
    # schema gives the parameter another value kind.

    def as_decimal(self) -> Decimal:
        return cast(Decimal, self._checked(ValueKind.DECIMAL))

    def as_int(self) -> int:
        return cast(int, self._checked(ValueKind.INTEGER))

    def as_bool(self) -> bool:
        return cast(bool, self._checked(ValueKind.BOOLEAN))

    def as_str(self) -> str:
        return cast(str, self._checked(ValueKind.CHOICE))

    def as_str_list(self) -> list[str]:
        return cast(list[str], self._checked(ValueKind.CHOICE_LIST))

    def as_amounts(self) -> dict[str, Decimal]:
        return cast(dict[str, Decimal], self._checked(ValueKind.AMOUNT_BY_CHOICE))

    def as_tiers(self) -> list[dict[str, Decimal]]:
        return cast(list[dict[str, Decimal]], self._checked(ValueKind.TIERS))

    def _checked(self, kind: ValueKind) -> ParameterData:
        actual = SCHEMA[self.name].kind
        if actual is not kind:
            raise TypeError(f"{self.name} has value kind {actual}, not {kind}")
        return self.value


class ParameterNotFound(LookupError):
    """No value applies: unknown name or city, or no entry on or before the date."""


class PolicyParameters:
    """The national defaults and the parameters of every city, read-only."""

    def __init__(self, national: Histories, cities: Mapping[str, CityRecord]) -> None:
        self._national = dict(national)
        self._cities = dict(cities)

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIRECTORY) -> PolicyParameters:
        """Load ``national.yaml`` and the city files of a directory.

        Raises ParameterFileError naming the file and line of the first problem.
        """
        national, cities = read_directory(directory)
        return cls(national, cities)

    @property
    def national(self) -> Histories:
        """National default histories by parameter name, read-only."""
        return MappingProxyType(self._national)

    def cities(self) -> list[str]:
        return sorted(self._cities)

    def city_record(self, city: str) -> CityRecord:
        """Return what a city's file sets, with its district overrides.

        Raises ParameterNotFound for an unknown city.
        """
        return self._city_record(city)

    def districts(self, city: str) -> list[str]:
        """Return the codes of the districts that have overrides in a city."""
        return sorted(self._city_record(city).districts)

    def get(
        self, name: str, *, city: str, on: date, district: str | None = None
    ) -> ParameterValue:
        """Return the value of ``name`` that applies in a city or district on a date.

        A district without overrides for ``name`` gets the city's value. Raises
        ParameterNotFound for an unknown name or city, and when no layer has an
        entry on or before ``on``.
        """
        if isinstance(on, datetime):
            raise TypeError(f"on must be a date, not a datetime: {on!r}")
        where = _describe_request(name, city, on, district)
        spec = SCHEMA.get(name)
        if spec is None:
            raise ParameterNotFound(
                f"{where}: unknown parameter name{suggest(name, SCHEMA)}"
            )
        record = self._city_record(city, where)

        first_dates: list[date] = []
        for layer in self._layers(record, district):
            history = layer.histories.get(name, ())
            entry = _entry_on(history, on)
            if entry is not None:
                return _parameter_value(spec, city, layer, entry)
            if history:
                first_dates.append(history[0].effective_from)

        if first_dates:
            raise ParameterNotFound(
                f"{where}: no value takes effect on or before that date "
                f"(first value {min(first_dates)})"
            )
        raise ParameterNotFound(
            f"{where}: no file sets this parameter, national.yaml included"
        )

    def resolve(
        self, city: str, on: date, districts: Sequence[str]
    ) -> dict[str | None, dict[str, ParameterValue]]:
        """Return every parameter that applies on a date, per level of the city.

        The key None is the city level. Parameters without a value on that
        date are left out.
        """
        self._city_record(city)
        levels: list[str | None] = [None, *districts]
        return {level: self._resolve_level(city, on, level) for level in levels}

    def with_overrides(
        self,
        overrides: Mapping[str, Sequence[tuple[date, ParameterData]]],
        *,
        city: str,
        district: str | None = None,
        source: str = REFORM_SOURCE,
        quality: Quality = Quality.REFORM,
        note: str = "",
    ) -> PolicyParameters:
        """Return a copy in which a reform replaces part of some histories.

        For each parameter, the override entries replace the existing entries of
        that city or district dated on or after the earliest override date. The
        new entries have precision DAY and the given source, quality and note: by
        default quality REFORM and source "reform", for a simulation. This object
        is not changed. Raises ValueError for an unknown name, a repeated date, a
        value of the wrong type, an empty source, the quality NATIONAL_DEFAULT, or
        the quality ASSUMED without a note.
        """
        origin = _origin(source, quality, note)
        record = self._city_record(city)
        if district is None:
            histories = _apply_overrides(record.parameters, overrides, origin)
            new_record = replace(record, parameters=histories)
        else:
            current = record.districts.get(district, DistrictRecord(district, "", {}))
            histories = _apply_overrides(current.parameters, overrides, origin)
            districts = {**record.districts}
            districts[district] = replace(current, parameters=histories)
            new_record = replace(record, districts=districts)

        cities = {**self._cities, city: new_record}
        return PolicyParameters(self._national, cities)

    def to_yaml(self, city: str) -> str:
        """Return the city's file as YAML, including any reform overrides.

        ``load`` reads the text back to equal values when it is saved as a city
        file next to the same ``national.yaml``.
        """
        return dump_city(self._city_record(city))

    def _city_record(self, city: str, where: str | None = None) -> CityRecord:
        record = self._cities.get(city)
        if record is None:
            known = ", ".join(self.cities()) or "none"
            prefix = f"{where}: " if where else ""
            hint = suggest(city, self._cities)
            raise ParameterNotFound(
                f"{prefix}no parameter file for city {city!r}{hint}. "
                f"Known cities: {known}."
            )
        return record

    def _layers(self, record: CityRecord, district: str | None) -> list[_Layer]:
        layers: list[_Layer] = []
        if district is not None and district in record.districts:
            layers.append(_Layer(record.districts[district].parameters, district))
        layers.append(_Layer(record.parameters, None))
        layers.append(_Layer(self._national, None, national=True))
        return layers

    def _resolve_level(
        self, city: str, on: date, district: str | None
    ) -> dict[str, ParameterValue]:
        values: dict[str, ParameterValue] = {}
        for name in SCHEMA:
            try:
                values[name] = self.get(name, city=city, on=on, district=district)
            except ParameterNotFound:
                continue
        return values


class _Layer(NamedTuple):
    """Histories searched by ``get``, with the district they belong to."""

    histories: Histories
    district: str | None
    national: bool = False


def _describe_request(name: str, city: str, on: date, district: str | None) -> str:
    place = f"{city} district {district}" if district is not None else city
    return f"{name} for {place} on {on.isoformat()}"


def _entry_on(history: Sequence[Entry], on: date) -> Entry | None:
    position = bisect_right(history, on, key=lambda entry: entry.effective_from)
    return history[position - 1] if position else None


def _parameter_value(
    spec: ParameterSpec, city: str, layer: _Layer, entry: Entry
) -> ParameterValue:
    national = layer.national
    return ParameterValue(
        name=spec.name,
        city=city,
        district=layer.district,
        # Lists and dicts are copied so that a caller cannot change the stored history.
        value=copy.deepcopy(entry.value),
        unit=spec.unit,
        effective_from=entry.effective_from,
        precision=entry.precision,
        quality=Quality.NATIONAL_DEFAULT if national else entry.quality,
        source=entry.source,
        note=entry.note,
        national_quality=entry.quality if national else None,
    )


class _Origin(NamedTuple):
    """Source, quality and note written on every entry of one set of overrides."""

    source: str
    quality: Quality
    note: str


def _origin(source: str, quality: Quality, note: str) -> _Origin:
    if not source.strip():
        raise ValueError("an override needs a source: name the document or decision")
    if quality is Quality.NATIONAL_DEFAULT:
        raise ValueError(
            "an override cannot have quality national_default: that quality is "
            "assigned on lookup"
        )
    if quality is Quality.ASSUMED and not note.strip():
        raise ValueError("an assumed override needs a note giving the reason")
    return _Origin(source, Quality(quality), note)


def _apply_overrides(
    histories: Histories,
    overrides: Mapping[str, Sequence[tuple[date, ParameterData]]],
    origin: _Origin,
) -> dict[str, tuple[Entry, ...]]:
    result = dict(histories)
    for name, items in overrides.items():
        spec = SCHEMA.get(name)
        if spec is None:
            raise ValueError(
                f"cannot override unknown parameter {name!r}{suggest(name, SCHEMA)}"
            )
        new_entries = _override_entries(spec, items, origin)
        start = new_entries[0].effective_from
        kept = tuple(e for e in result.get(name, ()) if e.effective_from < start)
        result[name] = kept + new_entries
    return result


def _override_entries(
    spec: ParameterSpec, items: Sequence[tuple[date, ParameterData]], origin: _Origin
) -> tuple[Entry, ...]:
    if not items:
        raise ValueError(f"override of {spec.name} needs at least one (date, value)")
    entries: list[Entry] = []
    for effective_from, raw in sorted(items, key=lambda item: item[0]):
        if isinstance(effective_from, datetime) or not isinstance(effective_from, date):
            raise ValueError(
                f"override of {spec.name}: {effective_from!r} is not a date"
            )
        if entries and entries[-1].effective_from == effective_from:
            raise ValueError(
                f"override of {spec.name} gives two values for {effective_from}"
            )
        try:
            value = validate_value(spec, raw)
        except ValueError as error:
            raise ValueError(
                f"override of {spec.name} on {effective_from}: {error}"
            ) from error
        entries.append(
            Entry(
                effective_from=effective_from,
                value=value,
                precision=Precision.DAY,
                quality=origin.quality,
                source=origin.source,
                note=origin.note,
            )
        )
    return tuple(entries)
