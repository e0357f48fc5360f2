"""Vega-Lite specs (through Altair) of the policy officer's signal page.

Each spec drops Altair's `$schema` URL, so that the page names no external
address; the page draws them with the locally served vega scripts. Every
chart has a table beside it with the same figures.
"""

from __future__ import annotations

from typing import Any

import altair as alt


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def bar_chart(
    rows: list[dict[str, Any]],
    *,
    value: str,
    label: str,
    title: str,
    axis_title: str,
    description: str,
    value_format: str = ",.1f",
) -> dict[str, Any]:
    """Return a horizontal bar chart of `value` per `label`, largest first.

    Rows whose value is None are left out.
    """
    data = [row for row in rows if row.get(value) is not None]
    chart = (
        alt.Chart(
            alt.Data(values=data),  # type: ignore[no-untyped-call]
            title=title,
            description=description,
        )
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=axis_title),
            y=alt.Y(f"{label}:N", title=None, sort="-x"),
            tooltip=[f"{label}:N", alt.Tooltip(f"{value}:Q", format=value_format)],
        )
        .properties(width="container")
    )
    return _spec(chart)


def group_rate_chart(
    rows: list[dict[str, Any]],
    *,
    city_rate: float,
    title: str,
    axis_title: str,
    description: str,
) -> dict[str, Any]:
    """Return bars of the warning rate (in %) per group, with the city's as a rule."""
    bars = (
        alt.Chart(alt.Data(values=rows))  # type: ignore[no-untyped-call]
        .mark_bar()
        .encode(
            x=alt.X("rate:Q", title=axis_title),
            y=alt.Y("group:N", title=None, sort=None),
            color=alt.Color(
                "flagged:N", title=None, legend=alt.Legend(orient="bottom")
            ),
            tooltip=["group:N", alt.Tooltip("rate:Q", format=",.1f")],
        )
    )
    city = (
        alt.Chart(alt.Data(values=[{"rate": city_rate}]))  # type: ignore[no-untyped-call]
        .mark_rule(strokeDash=[4, 4])
        .encode(x="rate:Q")
    )
    chart = alt.layer(bars, city, title=title, description=description).properties(
        width="container"
    )
    return _spec(chart)
