"""Enrolment status and the dibao gradual exit (渐退期).

When income from work lifts an enrolled dibao household above the line, the
payment continues for ``exit.gradual_months`` from the start of the exit
(最低生活保障审核确认办法, 民发〔2021〕57号, Art. 33; 民发〔2022〕83号).
"Lifted by work" is tested as: the household is no longer below the standard,
but would be without its counted members' wages and business income. Assets
and registration must still pass.

The exit starts on ``enrolment.exit_started``. When that is null, the engine
takes the assessment date as the start. The amount kept is
``enrolment.award_fen``, the amount paid so far. When no award is recorded
the amount is null, and the caseworker keeps the current award.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from doudi.policy.inputs import Scheme
from doudi.policy.schemes import result_name

ROUTE: Final = "gradual_exit"
DIBAO: Final = Scheme.DIBAO.value


def enrolment_status(enrolment: pl.LazyFrame, on: date) -> pl.LazyFrame:
    """Pivot enrolment to one row per household.

    A scheme is active when ``since`` is on or before ``on`` and no exit has
    started by then. Dibao keeps its dates and award for the gradual exit.
    """
    started = pl.col("since") <= on
    not_exited = pl.col("exit_started").is_null() | (pl.col("exit_started") > on)
    scheme = pl.col("scheme")
    dibao = (scheme == Scheme.DIBAO) & started
    flags = {
        f"{name}_enrolled": (scheme == name) & started & not_exited
        for name in (Scheme.TEKUN, Scheme.EDGE, Scheme.RIGID)
    }
    return enrolment.group_by("household_id").agg(
        dibao_enrolled=dibao.any(),
        dibao_exit_started=pl.col("exit_started").filter(dibao).first(),
        dibao_award_fen=pl.col("award_fen").filter(dibao).first(),
        **{name: flag.any() for name, flag in flags.items()},
    )


def _non_work_income_below_line() -> pl.Expr:
    non_work = (
        pl.col("gross_income_fen")
        - pl.col("work_income_fen")
        - pl.col("deductions_fen")
    ).clip(lower_bound=0)
    return (pl.col("counted_members") > 0) & (non_work < pl.col("standard_total_fen"))


def _name(name: str) -> str:
    return result_name(DIBAO, name)


def apply_gradual_exit(households: pl.LazyFrame, on: date) -> pl.LazyFrame:
    """Keep paying an enrolled household that work lifted above the line.

    ``households`` must carry dibao's chosen route. Adds ``dibao.gradual_exit``,
    ``dibao.gradual_exit_until`` and ``dibao.active`` (still on dibao:
    enrolled, and no exit started or inside the exit period).
    """
    enrolled = pl.col("dibao_enrolled").fill_null(False)
    exit_start = pl.col("dibao_exit_started").fill_null(pl.lit(on))
    until = exit_start.dt.offset_by(pl.format("{}mo", pl.col("gradual_months")))
    in_period = pl.lit(on) < pl.col(_name("gradual_exit_until"))
    lifted_by_work = (
        ~pl.col(_name("household_eligible"))
        & (pl.col("countable_income_fen") >= pl.col("standard_total_fen"))
        & _non_work_income_below_line()
    )
    applies = (
        enrolled
        & ~pl.col(_name("eligible"))
        & lifted_by_work
        & pl.col("assets_ok")
        & pl.col("registration_ok")
        & in_period
    ).fill_null(False)
    # Without exit.gradual_months the period is unknown, so an exit that has
    # started counts as over.
    active = enrolled & (
        pl.col("dibao_exit_started").is_null() | in_period.fill_null(False)
    )
    in_exit = pl.col(_name("gradual_exit"))
    return (
        households.with_columns(
            **{_name("gradual_exit_until"): pl.when(enrolled).then(until)}
        )
        .with_columns(
            **{
                _name("gradual_exit"): applies,
                _name("active"): active,
                _name("award_fen"): pl.col("dibao_award_fen"),
            }
        )
        .with_columns(
            **{
                _name("eligible"): pl.col(_name("eligible")) | in_exit,
                _name("amount_fen"): pl.when(in_exit)
                .then(pl.col("dibao_award_fen"))
                .otherwise(pl.col(_name("amount_fen"))),
                _name("route"): pl.when(in_exit)
                .then(pl.lit(ROUTE))
                .otherwise(pl.col(_name("route"))),
            }
        )
    )
