"""docs/policy-parameters.md lists the schema and what each file sets.

After changing the schema or a parameter file, print the new tables with
``.venv/bin/python -m doudi.policy.tests.test_docs`` and paste them into the page.
"""

from __future__ import annotations

from pathlib import Path

from doudi.policy import PolicyParameters
from doudi.policy.schema import SCHEMA, ParameterSpec, ValueKind

DOCS_PAGE = Path(__file__).resolve().parents[4] / "docs" / "policy-parameters.md"


def value_type(spec: ParameterSpec) -> str:
    if spec.kind in (ValueKind.CHOICE, ValueKind.CHOICE_LIST):
        return f"{spec.kind}: {', '.join(spec.choices)}"
    if spec.kind is ValueKind.AMOUNT_BY_CHOICE:
        return f"{spec.kind} ({', '.join(spec.choices)})"
    return str(spec.kind)


def schema_table() -> str:
    lines = [
        "| Parameter | Unit | Value type | Description |",
        "| --- | --- | --- | --- |",
    ]
    for spec in SCHEMA.values():
        lines.append(
            f"| `{spec.name}` | {spec.unit} | {value_type(spec)} | {spec.description} |"
        )
    return "\n".join(lines)


def coverage_table(parameters: PolicyParameters) -> str:
    lines = [
        "| Parameter | national.yaml | Cities (districts) |",
        "| --- | --- | --- |",
    ]
    for name in SCHEMA:
        national = "yes" if name in parameters.national else ""
        cities = [
            _city_coverage(parameters, city, name) for city in parameters.cities()
        ]
        lines.append(f"| `{name}` | {national} | {', '.join(filter(None, cities))} |")
    return "\n".join(lines)


def _city_coverage(parameters: PolicyParameters, city: str, name: str) -> str:
    record = parameters.city_record(city)
    districts = [
        code
        for code, district in record.districts.items()
        if name in district.parameters
    ]
    if districts:
        return f"{city} ({', '.join(districts)})"
    return city if name in record.parameters else ""


def test_docs_list_every_parameter():
    page = DOCS_PAGE.read_text(encoding="utf-8")

    assert schema_table() in page


def test_docs_show_which_files_set_each_parameter():
    page = DOCS_PAGE.read_text(encoding="utf-8")

    assert coverage_table(PolicyParameters.load()) in page


if __name__ == "__main__":
    print(schema_table())
    print()
    print(coverage_table(PolicyParameters.load()))
