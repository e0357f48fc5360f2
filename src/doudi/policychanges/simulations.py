"""Run a reform over the registry and shape the result for pages and storage.

The summary has no personal data: counts and money per district and scheme.
The affected households are personal data; views show them only to city
administrators and audit each view.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import altair as alt
import polars as pl
from django.conf import settings

from doudi.assessments.registry_inputs import read_registry
from doudi.policy import PolicyParameters
from doudi.policy.registry_frames import inputs_from_frames
from doudi.policy.simulation import simulate
from doudi.policychanges.labels import scheme_label

SUMMARY_COLUMNS = (
    "households_gained",
    "households_lost",
    "persons_gained",
    "persons_lost",
    "monthly_cost_change_fen",
)


@dataclass(frozen=True)
class SimulationRun:
    """A simulation on one day: the JSON summary and the affected households."""

    summary: dict[str, Any]
    affected: pl.DataFrame


def simulation_day(effective_from: date, today: date) -> date:
    """Return the last day of the change's month, or of this month if that is later."""
    month = max(effective_from.replace(day=1), today.replace(day=1))
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def run_simulation(
    baseline: PolicyParameters, reform: PolicyParameters, on: date
) -> SimulationRun:
    """Assess the registry as of ``on`` under both parameter sets and compare.

    Raises ParameterNotFound when a parameter that the engine requires has no
    value on that day.
    """
    city = settings.DOUDI_CITY
    frames = read_registry(on)
    households = frames.households.height
    if households == 0:
        empty = pl.DataFrame(
            schema={
                "household_id": pl.Int64,
                "district_code": pl.Utf8,
                "scheme": pl.Utf8,
                "eligible_baseline": pl.Boolean,
                "eligible_reform": pl.Boolean,
                "amount_fen_baseline": pl.Int64,
                "amount_fen_reform": pl.Int64,
            }
        )
        return SimulationRun(summary_json([], on, 0), empty)
    inputs = inputs_from_frames(frames, city_name=city)
    result = simulate(inputs, baseline, reform, city=city, on=on)
    rows = result.summary.to_dicts()
    return SimulationRun(summary_json(rows, on, households), result.affected)


def summary_json(
    rows: list[dict[str, Any]], on: date, households: int
) -> dict[str, Any]:
    """Return the summary in the JSON form stored with a proposal."""
    clean: list[dict[str, Any]] = [
        {
            "district_code": str(row["district_code"]),
            "scheme": str(row["scheme"]),
            **{column: int(row[column]) for column in SUMMARY_COLUMNS},
        }
        for row in rows
    ]
    totals = {column: sum(row[column] for row in clean) for column in SUMMARY_COLUMNS}
    return {
        "on": on.isoformat(),
        "households": households,
        "rows": clean,
        "totals": totals,
    }


def yuan(fen: int) -> Decimal:
    """Return an exact amount in yuan with two places."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def display_rows(
    summary: dict[str, Any], district_names: dict[str, str]
) -> list[dict[str, Any]]:
    """Return the stored summary rows with names, yuan and a flag for no change."""
    shown = []
    for row in summary["rows"]:
        changed = any(row[column] for column in SUMMARY_COLUMNS)
        shown.append(
            {
                **row,
                "district_name": district_names.get(row["district_code"], ""),
                "scheme_label": scheme_label(row["scheme"]),
                "monthly_cost_change_yuan": yuan(row["monthly_cost_change_fen"]),
                "changed": changed,
            }
        )
    return shown


def chart_spec(
    rows: list[dict[str, Any]], *, title: str, axis_title: str, description: str
) -> dict[str, Any]:
    """Return a Vega-Lite bar chart of the monthly cost change per district and scheme.

    ``rows`` are ``display_rows``. The data carry integer fen, and the chart
    divides by 100 only to draw. The ``$schema`` URL is dropped, so that the
    page names no external address.
    """
    data = [
        {
            "district": row["district_name"] or row["district_code"],
            "scheme": row["scheme_label"],
            "fen": row["monthly_cost_change_fen"],
        }
        for row in rows
        if row["monthly_cost_change_fen"]
    ]
    chart = (
        alt.Chart(
            alt.Data(values=data),  # type: ignore[no-untyped-call]
            title=title,
            description=description,
        )
        .transform_calculate(yuan="datum.fen / 100")
        .mark_bar()
        .encode(
            x=alt.X("yuan:Q", title=axis_title),
            y=alt.Y("district:N", title=None, sort="-x"),
            color=alt.Color("scheme:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["district:N", "scheme:N", alt.Tooltip("yuan:Q", format=",.2f")],
        )
        .properties(width="container")
    )
    spec: dict[str, Any] = chart.to_dict()
    spec.pop("$schema", None)
    return spec
