"""Read and write the YAML parameter files.

The files are parsed with ``yaml.compose`` instead of ``yaml.safe_load``, so
every node keeps its line number for error messages, duplicate keys stay
visible, and numbers are converted from their source text: ``1.3`` becomes
``Decimal("1.3")`` and never passes through float. The format is described at
the top of ``params/national.yaml`` and in ``docs/policy-parameters.md``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final, TypeVar

import yaml

from doudi.policy.schema import (
    SCHEMA,
    ParameterData,
    ParameterSpec,
    Precision,
    Quality,
    validate_value,
)

NATIONAL_FILE: Final = "national.yaml"

ENTRY_FIELDS: Final = (
    "effective_from",
    "value",
    "precision",
    "quality",
    "source",
    "note",
    "unit",
)
REQUIRED_ENTRY_FIELDS: Final = ENTRY_FIELDS[:5]
CITY_FILE_KEYS: Final = ("city", "parameters", "districts")
NATIONAL_FILE_KEYS: Final = ("parameters",)
DISTRICT_KEYS: Final = ("name", "parameters")

# A value read from a file may not claim to be a national default: that quality
# is assigned on lookup when a city falls back to the national file.
FILE_QUALITIES: Final = tuple(q for q in Quality if q is not Quality.NATIONAL_DEFAULT)

_STR_TAG: Final = "tag:yaml.org,2002:str"
_INT_TAG: Final = "tag:yaml.org,2002:int"
_FLOAT_TAG: Final = "tag:yaml.org,2002:float"
_BOOL_TAG: Final = "tag:yaml.org,2002:bool"
_NULL_TAG: Final = "tag:yaml.org,2002:null"
_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"
_SEQUENCE_TAG: Final = "tag:yaml.org,2002:seq"
_MAPPING_TAG: Final = "tag:yaml.org,2002:map"

_INTEGER_TEXT: Final = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_TEXT: Final = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)")
_FULL_DATE_TEXT: Final = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
)
_DATE_FORMS: Final = {
    Precision.YEAR: re.compile(r"(?P<year>[0-9]{4})"),
    Precision.MONTH: re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})"),
    Precision.DAY: _FULL_DATE_TEXT,
    Precision.IN_FORCE_ON: _FULL_DATE_TEXT,
}
_DATE_FORM_TEXT: Final = {
    Precision.YEAR: "YYYY",
    Precision.MONTH: "YYYY-MM",
    Precision.DAY: "YYYY-MM-DD",
    Precision.IN_FORCE_ON: "YYYY-MM-DD",
}


class ParameterFileError(ValueError):
    """A parameter file that cannot be loaded, with its path and 1-based line."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        location = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{location}: {problem}")


@dataclass(frozen=True)
class Entry:
    """One dated value of a parameter, as written in a file."""

    effective_from: date
    value: ParameterData
    precision: Precision
    quality: Quality
    source: str
    note: str = ""


# Parameter name to its entries, oldest first, with strictly increasing dates.
Histories = Mapping[str, tuple[Entry, ...]]


@dataclass(frozen=True)
class DistrictRecord:
    code: str
    name: str
    parameters: Histories


@dataclass(frozen=True)
class CityRecord:
    city: str
    parameters: Histories
    districts: Mapping[str, DistrictRecord]


def read_directory(directory: Path) -> tuple[Histories, dict[str, CityRecord]]:
    """Read ``national.yaml`` and every other ``*.yaml`` file as a city file.

    Returns the national histories and the city records by city name. Raises
    ParameterFileError for the first problem found, and also when
    ``national.yaml`` is missing or two files define the same city.
    """
    national_path = directory / NATIONAL_FILE
    if not national_path.is_file():
        raise ParameterFileError(
            national_path,
            None,
            "file not found. Every parameter directory needs the national defaults.",
        )
    national = _Reader(national_path).national_file()

    cities: dict[str, CityRecord] = {}
    city_paths: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == NATIONAL_FILE:
            continue
        record = _Reader(path).city_file(city_paths)
        cities[record.city] = record
        city_paths[record.city] = path
    return national, cities


def suggest(name: str, known: Iterable[str]) -> str:
    """Return ' (did you mean X?)' for the closest known name, or ''."""
    matches = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


_EnumT = TypeVar("_EnumT", Precision, Quality)


class _Reader:
    """Reads one file, raising ParameterFileError with its path and a line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, node: yaml.Node, problem: str) -> ParameterFileError:
        return ParameterFileError(self.path, node.start_mark.line + 1, problem)

    # --- Files ---------------------------------------------------------------

    def national_file(self) -> dict[str, tuple[Entry, ...]]:
        root = self.compose()
        items = self.mapping(root, "the national file")
        self.check_keys(
            root, items, NATIONAL_FILE_KEYS, NATIONAL_FILE_KEYS, "the national file"
        )
        return self.parameters(items["parameters"][1], "the national file")

    def city_file(self, defined_in: Mapping[str, Path]) -> CityRecord:
        root = self.compose()
        items = self.mapping(root, "a city file")
        self.check_keys(root, items, CITY_FILE_KEYS, ("city",), "a city file")
        city_node = items["city"][1]
        city = self.text(city_node, "city")
        if city in defined_in:
            raise self.error(
                city_node,
                f"city {city!r} is also defined in {defined_in[city]}. "
                "Keep one file per city.",
            )

        parameters: dict[str, tuple[Entry, ...]] = {}
        if "parameters" in items:
            parameters = self.parameters(items["parameters"][1], city)
        districts: dict[str, DistrictRecord] = {}
        if "districts" in items:
            districts = self.districts(items["districts"][1], city)
        return CityRecord(city, parameters, districts)

    def compose(self) -> yaml.Node:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ParameterFileError(
                self.path, None, f"invalid UTF-8 ({error}). Save the file as UTF-8."
            ) from error
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else None
            raise ParameterFileError(
                self.path, line, f"invalid YAML: {error.problem}. Fix the syntax."
            ) from error
        except yaml.YAMLError as error:
            raise ParameterFileError(
                self.path, None, f"invalid YAML: {error}. Fix the syntax."
            ) from error
        if root is None:
            raise ParameterFileError(
                self.path,
                1,
                "the file is empty. A city file needs 'city:', and national.yaml "
                "needs 'parameters:'.",
            )
        return root

    # --- Sections ------------------------------------------------------------

    def districts(self, node: yaml.Node, city: str) -> dict[str, DistrictRecord]:
        districts: dict[str, DistrictRecord] = {}
        for code, (key_node, value_node) in self.mapping(node, "districts").items():
            where = f"district {code} of {city}"
            items = self.mapping(value_node, where)
            self.check_keys(value_node, items, DISTRICT_KEYS, ("parameters",), where)
            name = self.text(items["name"][1], "name") if "name" in items else ""
            if not code.strip():
                raise self.error(key_node, "a district key is empty. Use its code.")
            parameters = self.parameters(items["parameters"][1], where)
            districts[code] = DistrictRecord(code, name, parameters)
        return districts

    def parameters(self, node: yaml.Node, where: str) -> dict[str, tuple[Entry, ...]]:
        histories: dict[str, tuple[Entry, ...]] = {}
        items = self.mapping(node, f"the parameters of {where}")
        for name, (key_node, value_node) in items.items():
            spec = SCHEMA.get(name)
            if spec is None:
                raise self.error(
                    key_node,
                    f"unknown parameter {name!r}{suggest(name, SCHEMA)}. "
                    "The names are listed in doudi.policy.schema.SCHEMA.",
                )
            histories[name] = self.history(spec, value_node)
        return histories

    def history(self, spec: ParameterSpec, node: yaml.Node) -> tuple[Entry, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.error(
                node, f"{spec.name} must be a non-empty list of dated entries."
            )
        entries: list[Entry] = []
        for item in node.value:
            entry = self.entry(spec, item)
            if entries and entry.effective_from <= entries[-1].effective_from:
                raise self.error(
                    item,
                    f"{spec.name}: effective_from {entry.effective_from} is not after "
                    f"the previous entry's {entries[-1].effective_from}. List the "
                    "entries oldest first, with at most one per date.",
                )
            entries.append(entry)
        return tuple(entries)

    def entry(self, spec: ParameterSpec, node: yaml.Node) -> Entry:
        where = f"an entry of {spec.name}"
        items = self.mapping(node, where)
        self.check_keys(node, items, ENTRY_FIELDS, REQUIRED_ENTRY_FIELDS, where)
        precision = self.choice(items["precision"][1], Precision, tuple(Precision))
        quality = self.choice(items["quality"][1], Quality, FILE_QUALITIES)
        note = self.text(items["note"][1], "note") if "note" in items else ""
        if quality is Quality.ASSUMED and not note:
            raise self.error(node, "an assumed value needs a note giving the reason.")
        if "unit" in items:
            self.check_unit(spec, items["unit"][1])
        return Entry(
            effective_from=self.effective_date(items["effective_from"][1], precision),
            value=self.value(spec, items["value"][1]),
            precision=precision,
            quality=quality,
            source=self.text(items["source"][1], "source"),
            note=note,
        )

    # --- Fields --------------------------------------------------------------

    def effective_date(self, node: yaml.Node, precision: Precision) -> date:
        text = node.value if isinstance(node, yaml.ScalarNode) else None
        form = _DATE_FORMS[precision]
        match = form.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise self.error(
                node,
                f"malformed effective_from {text!r}: precision {precision} needs the "
                f"form {_DATE_FORM_TEXT[precision]}.",
            )
        parts = match.groupdict()
        try:
            return date(
                int(parts["year"]),
                int(parts.get("month") or 1),
                int(parts.get("day") or 1),
            )
        except ValueError as error:
            raise self.error(
                node, f"invalid effective_from {text!r}: {error}."
            ) from error

    def value(self, spec: ParameterSpec, node: yaml.Node) -> ParameterData:
        raw = self.python(node)
        try:
            return validate_value(spec, raw)
        except ValueError as error:
            raise self.error(node, f"invalid value for {spec.name}: {error}") from error

    def check_unit(self, spec: ParameterSpec, node: yaml.Node) -> None:
        unit = node.value if isinstance(node, yaml.ScalarNode) else None
        if unit != spec.unit:
            raise self.error(
                node,
                f"wrong unit {unit!r} for {spec.name}: its unit is {spec.unit}. "
                "Convert the value or remove the unit field.",
            )

    def choice(
        self, node: yaml.Node, enum: type[_EnumT], allowed: tuple[_EnumT, ...]
    ) -> _EnumT:
        text = node.value if isinstance(node, yaml.ScalarNode) else None
        for member in allowed:
            if text == member.value:
                return member
        names = ", ".join(member.value for member in allowed)
        raise self.error(
            node, f"invalid {enum.__name__.lower()} {text!r}: use {names}."
        )

    def text(self, node: yaml.Node, field: str) -> str:
        if (
            not isinstance(node, yaml.ScalarNode)
            or node.tag != _STR_TAG
            or not node.value.strip()
        ):
            raise self.error(
                node,
                f"{field} must be non-empty text. Quote it if it looks like a "
                "number, date or boolean.",
            )
        return str(node.value)

    # --- Generic nodes -------------------------------------------------------

    def mapping(
        self, node: yaml.Node, description: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Return key text to (key node, value node), rejecting duplicate keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(
                node, f"{description} must be a mapping of keys to values."
            )
        items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(
                    key_node, f"a key in {description} must be plain text."
                )
            key = str(key_node.value)
            if key in items:
                first_line = items[key][0].start_mark.line + 1
                raise self.error(
                    key_node,
                    f"duplicate key {key!r} in {description} "
                    f"(first on line {first_line}). Remove one of them.",
                )
            items[key] = (key_node, value_node)
        return items

    def check_keys(
        self,
        node: yaml.Node,
        items: Mapping[str, tuple[yaml.Node, yaml.Node]],
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        description: str,
    ) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                raise self.error(
                    key_node,
                    f"unknown key {key!r} in {description}{suggest(key, allowed)}. "
                    f"Allowed keys: {', '.join(allowed)}.",
                )
        missing = [key for key in required if key not in items]
        if missing:
            raise self.error(node, f"{description} is missing {', '.join(missing)}.")

    def python(self, node: yaml.Node) -> object:
        """Convert a value node to Python, with Decimal in place of float."""
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.python(item) for item in node.value]
        items = self.mapping(node, "a value")
        return {key: self.python(value) for key, (_, value) in items.items()}

    def scalar(self, node: yaml.ScalarNode) -> object:
        text = str(node.value)
        if node.tag in (_STR_TAG, _TIMESTAMP_TAG):
            return text
        if node.tag == _NULL_TAG:
            return None
        if node.tag == _BOOL_TAG and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if node.tag == _INT_TAG and _INTEGER_TEXT.fullmatch(text):
            return int(text)
        if node.tag == _FLOAT_TAG and _DECIMAL_TEXT.fullmatch(text):
            return Decimal(text)
        raise self.error(
            node,
            f"unsupported scalar {text!r}. Write numbers as plain digits "
            "(1330 or 1.5), booleans as true or false, and quote other text.",
        )


# --- Writing -------------------------------------------------------------------


def dump_city(record: CityRecord) -> str:
    """Return the YAML text of a city file that ``read_directory`` reads back."""
    pairs: list[tuple[str, yaml.Node]] = [("city", _str_node(record.city))]
    if record.parameters:
        pairs.append(("parameters", _parameters_node(record.parameters)))
    if record.districts:
        pairs.append(("districts", _districts_node(record.districts)))
    body = yaml.serialize(
        _mapping_node(pairs), Dumper=yaml.SafeDumper, allow_unicode=True, width=88
    )
    header = "# Exported by doudi.policy PolicyParameters.to_yaml.\n"
    return header + body


def _districts_node(districts: Mapping[str, DistrictRecord]) -> yaml.Node:
    pairs: list[tuple[str, yaml.Node]] = []
    for code, district in districts.items():
        fields: list[tuple[str, yaml.Node]] = []
        if district.name:
            fields.append(("name", _str_node(district.name)))
        fields.append(("parameters", _parameters_node(district.parameters)))
        pairs.append((code, _mapping_node(fields)))
    return _mapping_node(pairs)


def _parameters_node(histories: Histories) -> yaml.Node:
    pairs: list[tuple[str, yaml.Node]] = []
    for name, entries in histories.items():
        items = [_entry_node(entry) for entry in entries]
        pairs.append((name, yaml.SequenceNode(_SEQUENCE_TAG, items, flow_style=False)))
    return _mapping_node(pairs)


def _entry_node(entry: Entry) -> yaml.Node:
    pairs: list[tuple[str, yaml.Node]] = [
        ("effective_from", _date_node(entry.effective_from, entry.precision)),
        ("value", _value_node(entry.value)),
        ("precision", _str_node(entry.precision.value)),
        ("quality", _str_node(entry.quality.value)),
        ("source", _str_node(entry.source)),
    ]
    if entry.note:
        pairs.append(("note", _str_node(entry.note)))
    return _mapping_node(pairs)


def _date_node(day: date, precision: Precision) -> yaml.Node:
    if precision is Precision.YEAR:
        return yaml.ScalarNode(_INT_TAG, f"{day:%Y}")
    if precision is Precision.MONTH:
        return yaml.ScalarNode(_STR_TAG, f"{day:%Y-%m}")
    return yaml.ScalarNode(_TIMESTAMP_TAG, day.isoformat())


def _value_node(value: object) -> yaml.Node:
    if isinstance(value, bool):
        return yaml.ScalarNode(_BOOL_TAG, "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode(_INT_TAG, str(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        return yaml.ScalarNode(_FLOAT_TAG if "." in text else _INT_TAG, text)
    if isinstance(value, str):
        return _str_node(value)
    if isinstance(value, list):
        items = [_value_node(item) for item in value]
        return yaml.SequenceNode(_SEQUENCE_TAG, items, flow_style=True)
    if isinstance(value, dict):
        pairs = [(str(key), _value_node(item)) for key, item in value.items()]
        return _mapping_node(pairs, flow_style=True)
    raise TypeError(f"cannot write a value of type {type(value).__name__}")


def _str_node(text: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(_STR_TAG, text)


def _mapping_node(
    pairs: list[tuple[str, yaml.Node]], flow_style: bool = False
) -> yaml.MappingNode:
    items = [(_str_node(key), value) for key, value in pairs]
    return yaml.MappingNode(_MAPPING_TAG, items, flow_style=flow_style)
