"""The policy officer's signal page: outcomes per signal, weights, fairness.

The page shows aggregates only. Fairness reads one row per current member
of a household: district, age, sex, disability, and whether the household
was warned or helped. The rows come straight from the database as CSV, so
no person becomes a Python object, and the read writes one audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

import polars as pl
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from doudi.assessments.registry_inputs import Query, read_query
from doudi.monitoring import charts, fairness, learning, reasons, weights
from doudi.monitoring.learning import HELP_OUTCOMES, SignalOutcome
from doudi.monitoring.models import Warning, WarningStatus
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.choices import Sex

_HELP_LIST: Final = ", ".join(f"'{code}'" for code in HELP_OUTCOMES)
# One row per current member. The district is the community's grandparent,
# because the region tree is city, district, street, community.
_PERSONS: Final = Query(
    f"""
    SELECT m.person_id, d.name AS district, p.birth_date, p.sex,
      CASE WHEN EXISTS (
        SELECT 1 FROM registry_personfact f
        WHERE f.person_id = m.person_id AND f.kind = 'disability'
          AND f.valid_from <= %s AND (f.valid_to IS NULL OR f.valid_to > %s)
      ) THEN 1 ELSE 0 END AS disabled,
      CASE WHEN EXISTS (
        SELECT 1 FROM monitoring_warning w WHERE w.household_id = m.household_id
      ) THEN 1 ELSE 0 END AS warned,
      CASE WHEN EXISTS (
        SELECT 1 FROM monitoring_warning w
        WHERE w.household_id = m.household_id
          AND w.status = '{WarningStatus.RESOLVED.value}'
          AND w.outcome IN ({_HELP_LIST})
      ) THEN 1 ELSE 0 END AS helped
    FROM registry_membership m
    JOIN registry_person p ON p.id = m.person_id
    JOIN registry_household h ON h.id = m.household_id
    JOIN registry_region c ON c.id = h.region_id
    JOIN registry_region s ON s.id = c.parent_id
    JOIN registry_region d ON d.id = s.parent_id
    WHERE m.start_date <= %s AND (m.end_date IS NULL OR m.end_date > %s)
    """,  # noqa: S608 - the interpolated values are constants of this module
    {
        "person_id": pl.Int64(),
        "district": pl.Utf8(),
        "birth_date": pl.Date(),
        "sex": pl.Utf8(),
        "disabled": pl.Int8(),
        "warned": pl.Int8(),
        "helped": pl.Int8(),
    },
    key="person_id",
    key_table="registry_person",
    not_null=frozenset({"district", "sex"}),
)


@dataclass(frozen=True)
class SignalRow:
    code: str
    reason: str
    outcome: SignalOutcome | None
    default_weight: Decimal | None
    weight: Decimal | None

    @property
    def help_percent(self) -> float | None:
        share = self.outcome.help_share if self.outcome else None
        return None if share is None else share * 100


@dataclass(frozen=True)
class FairnessRow:
    """One group's line of the fairness table, with rates as text."""

    label: str
    rows: int
    warned: int
    warning_rate: str
    precision: str
    flags: str


@dataclass(frozen=True)
class SignalPage:
    rows: list[SignalRow]
    outcome_chart: dict[str, Any]
    time_chart: dict[str, Any]
    fairness: fairness.FairnessReport
    fairness_rows: list[FairnessRow]
    city_rate: str
    fairness_chart: dict[str, Any]


def require_officer(user: User) -> None:
    if not weights.can_set_weights(user):
        raise PermissionDenied(_("Only the city's policy officer opens this page."))


def signal_page(user: User, today: date, request: HttpRequest | None) -> SignalPage:
    """Return the outcomes per signal, weights and fairness, audited as one read."""
    require_officer(user)
    rows = signal_rows()
    report, persons = fairness_on(today)
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type="monitoring.signal_outcomes",
        purpose=Purpose.MONITORING,
        request=request,
        record_count=persons,
        detail={"aggregates": True},
    )
    return SignalPage(
        rows=rows,
        outcome_chart=_outcome_chart(rows),
        time_chart=_time_chart(rows),
        fairness=report,
        fairness_rows=[_fairness_row(group) for group in report.groups],
        city_rate=percent(report.city.warning_rate),
        fairness_chart=_fairness_chart(report),
    )


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _fairness_row(group: fairness.GroupMetrics) -> FairnessRow:
    measures = {
        "warning_rate": _("warning rate"),
        "precision": _("share helped"),
        "recall": _("recall"),
    }
    return FairnessRow(
        label=f"{column_label(group.column)}: {group_label(group.column, group.group)}",
        rows=group.rows,
        warned=group.warned,
        warning_rate=percent(group.warning_rate),
        precision=percent(group.precision),
        flags=", ".join(str(measures[flag]) for flag in group.flags),
    )


def warnings_frame() -> pl.DataFrame:
    """Return every warning's code, status, outcome and times, for `learning`.

    NOTE: reads through the ORM; fine for the tens of thousands of warnings
    a city has open in a year, not for a national history.
    """
    values = Warning.objects.values_list(
        "reason_code", "status", "outcome", "first_seen_at", "closed_at"
    )
    return pl.DataFrame(
        list(values.iterator(chunk_size=5000)),
        schema=learning.WARNINGS_SCHEMA,
        orient="row",
    )


def signal_rows() -> list[SignalRow]:
    outcomes = {o.reason_code: o for o in learning.signal_outcomes(warnings_frame())}
    defaults = weights.default_weights()
    current = weights.current_weights()
    codes = list(outcomes) + sorted(set(defaults) - set(outcomes))
    return [
        SignalRow(
            code=code,
            reason=reasons.reason_text(code),
            outcome=outcomes.get(code),
            default_weight=defaults.get(code),
            weight=current.get(code),
        )
        for code in codes
    ]


def fairness_on(day: date) -> tuple[fairness.FairnessReport, int]:
    """Return warning rates and the share helped by group, and the rows read.

    "In need" here is a household whose warning led to help, so recall is
    100 % by construction and the page leaves it out. Precision is the
    share of warned persons whose household was helped.
    """
    persons = read_query(_PERSONS, [day, day, day, day])
    ages = ((pl.lit(day) - pl.col("birth_date")).dt.total_days() / 365.2425).floor()
    frame = persons.with_columns(ages.alias("age")).with_columns(
        fairness.age_group_expr("age"),
        pl.col("disabled").cast(pl.Boolean).alias("disability"),
        pl.col("warned").cast(pl.Boolean),
        pl.col("helped").cast(pl.Boolean),
    )
    report = fairness.fairness_report(frame, warned="warned", in_need="helped")
    return report, persons.height


def _outcome_chart(rows: list[SignalRow]) -> dict[str, Any]:
    data = [{"signal": r.reason, "percent": r.help_percent} for r in rows]
    return charts.bar_chart(
        data,
        value="percent",
        label="signal",
        title=_("Share of ended warnings that led to help"),
        axis_title=_("Per cent"),
        description=_(
            "Bars per signal: the share of its ended warnings that led to help."
        ),
    )


def _time_chart(rows: list[SignalRow]) -> dict[str, Any]:
    data = [
        {
            "signal": r.reason,
            "days": r.outcome.median_days_to_resolution if r.outcome else None,
        }
        for r in rows
    ]
    return charts.bar_chart(
        data,
        value="days",
        label="signal",
        title=_("Median days from warning to resolution"),
        axis_title=pgettext("count of days", "Days"),
        description=_("Bars per signal: the median days its warnings took to end."),
    )


def _fairness_chart(report: fairness.FairnessReport) -> dict[str, Any]:
    flagged, normal = _("Differs from the city"), _("Within 5 points of the city")
    data = [
        {
            "group": f"{column_label(g.column)}: {group_label(g.column, g.group)}",
            "rate": (g.warning_rate or 0) * 100,
            "flagged": flagged if "warning_rate" in g.flags else normal,
        }
        for g in report.groups
    ]
    return charts.group_rate_chart(
        data,
        city_rate=(report.city.warning_rate or 0) * 100,
        title=_("Share of persons whose household was warned, by group"),
        axis_title=_("Per cent"),
        description=_("Bars per group; the dashed line is the whole city."),
    )


def column_label(column: str) -> str:
    labels = {
        "district": _("District"),
        "age_group": _("Age group"),
        "sex": _("Sex"),
        "disability": _("Disability"),
    }
    return labels.get(column, column)


def group_label(column: str, group: str) -> str:
    if column == "sex":
        return str(Sex(group).label) if group in Sex.values else group
    if column == "disability":
        return {"true": _("With a disability"), "false": _("Without")}.get(group, group)
    return group
