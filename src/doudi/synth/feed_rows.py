"""Clean feed rows of one month, one builder per feed kind.

Each builder returns a frame with the person key (``PERSON``) and the kind's
own columns, typed: dates as dates, money as integer fen, floor areas as
integer hundredths of a square metre. The person columns (resident ID, name,
birth date, region) are added later from the registry's people. Values come
from the city's TRUE incomes and assets, so that verification can compare
them with what households declared. Shares and amounts marked ESTIMATE are
design values, not published statistics.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Final

import numpy as np
import polars as pl

from doudi.registry.resident_id import Sex, generate
from doudi.synth.feed_context import FEN_PER_YUAN, PERSON, FeedContext, split_fen
from doudi.synth.feed_money import (
    employer_names,
    floor_area_hundredths,
    housing_fund,
    income_tax_fen,
    institutions,
    plate_numbers,
    property_certificates,
)
from doudi.synth.truth import dibao_standard_fen

Builder = Callable[[FeedContext, np.random.Generator], pl.DataFrame]
ColumnValues = pl.Series | np.ndarray | str

# ESTIMATE: yearly death rates by age band (60-69, 70-79, 80-89, 90+).
DEATH_AGES: Final = (60, 70, 80, 90)
DEATH_RATES: Final = (0.008, 0.025, 0.07, 0.18)
# ESTIMATE: monthly shares of people aged 18-40 who move out of the city, of
# unmarried adults aged 22-40 who marry and of married heads who divorce.
MOVE_OUT_SHARE: Final = 0.0015
MARRIAGE_SHARE: Final = 0.005
DIVORCE_SHARE: Final = 0.0008
# ESTIMATE: a pension of at least this much (yuan a month) is from the
# employees' scheme; lower ones are from the residents' scheme.
EMPLOYEE_PENSION_FROM_YUAN: Final = 2_800
# ESTIMATE: share of unemployed people without benefit who still register.
UNBENEFITED_REGISTRATION_SHARE: Final = 0.5
# ESTIMATE: share of people who started a job this month and deregister.
DEREGISTRATION_SHARE: Final = 0.3
# ESTIMATE: business registrations: capital median and the share of employed
# people with a business deregistered in the past.
CAPITAL_MEDIAN_YUAN: Final = 100_000.0
PAST_BUSINESS_SHARE: Final = 0.02
# ESTIMATE: share of households that keep part of their deposits in internet
# finance, and the part.
INTERNET_FINANCE_SHARE: Final = 0.3
INTERNET_FINANCE_PART: Final = 0.1
# ESTIMATE: chance of a medical claim in the month, median total cost in yuan
# and the out-of-pocket share range, for serious illness, chronic illness and
# everyone else.
CLAIMS: Final = {
    "serious": (0.7, 6_000.0, (0.25, 0.45)),
    "chronic": (0.5, 500.0, (0.20, 0.35)),
    "other": (0.03, 300.0, (0.30, 0.60)),
}
# ESTIMATE: school fees per term in yuan; compulsory and secondary vocational
# schooling are free, so their rows carry no fee.
TERM_FEES_YUAN: Final = {
    "preschool": 2_000,
    "senior_secondary": 1_200,
    "undergraduate": 2_500,
    "postgraduate": 4_000,
}
# ESTIMATE: shares of pupils suspended or dropped out.
SCHOOL_STATUS_SHARES: Final = {"suspended": 0.005, "dropped_out": 0.003}
# ESTIMATE: share of households in arrears, how much more often households
# below the dibao line are, and a typical monthly bill in yuan.
ARREARS_SHARE: Final = 0.015
ARREARS_POOR_WEIGHT: Final = 4.0
MONTHLY_BILL_YUAN: Final = {"water": 60.0, "electricity": 200.0, "gas": 80.0}
# ESTIMATE: share of vehicles by type (the rest are cars).
VEHICLE_TYPE_SHARES: Final = {"motorcycle": 0.03, "truck": 0.01, "other": 0.01}
# Shanghai district codes for people from outside the registry.
OUTSIDE_REGION_CODES: Final = ("310101", "310104", "310105", "310112", "310115")


def _dates(values: np.ndarray) -> pl.Series:
    return pl.Series(values.astype("datetime64[D]")).cast(pl.Date)


def _frame(persons: pl.Series | np.ndarray, **columns: ColumnValues) -> pl.DataFrame:
    frame = pl.DataFrame({PERSON: pl.Series(persons, dtype=pl.Int64)})
    return frame.with_columns(
        pl.lit(value).alias(name) if isinstance(value, str) else pl.Series(name, value)
        for name, value in columns.items()
    )


def _yuan(
    rng: np.random.Generator, median: float, sigma: float, count: int
) -> np.ndarray:
    yuan = np.round(median * np.exp(rng.normal(0.0, sigma, count)))
    return np.maximum(yuan, 1).astype(np.int64) * FEN_PER_YUAN


def household_registration(
    context: FeedContext, rng: np.random.Generator
) -> pl.DataFrame:
    """Births, deaths, moves into households and out of the city this month."""
    people = context.people
    in_window = pl.col("birth_date").is_between(context.start, context.end)
    births = people.filter(in_window)
    joined = people.filter(
        pl.col("member_since").is_between(context.start, context.end)
        & (pl.col("member_since") > pl.col("birth_date"))
    )
    age = people["age"].to_numpy()
    yearly = np.select(
        [age >= limit for limit in reversed(DEATH_AGES)],
        list(reversed(DEATH_RATES)),
        0.0,
    )
    dies = rng.random(age.size) < yearly / 12
    leaves = ~dies & (age >= 18) & (age <= 40) & (rng.random(age.size) < MOVE_OUT_SHARE)
    keys = people["person_key"].to_numpy()
    parts = [
        _frame(births["person_key"], event="birth", event_date=births["birth_date"]),
        _frame(
            joined["person_key"], event="move_in", event_date=joined["member_since"]
        ),
        _frame(
            keys[dies],
            event="death",
            event_date=_dates(context.days_in_window(rng, int(dies.sum()))),
        ),
        _frame(
            keys[leaves],
            event="move_out",
            event_date=_dates(context.days_in_window(rng, int(leaves.sum()))),
        ),
    ]
    return pl.concat(parts, how="vertical_relaxed")


def marriage(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Marriages of single adults to people from outside, and some divorces."""
    people = context.people
    married_households = people.filter(pl.col("relationship") == "spouse")["hh_key"]
    single = people.filter(
        pl.col("age").is_between(22, 40)
        & pl.col("relationship").is_in(["head", "child", "sibling"])
        & ~(
            (pl.col("relationship") == "head")
            & pl.col("hh_key").is_in(married_households.implode())
        )
    )
    marrying = single.filter(pl.Series(rng.random(single.height) < MARRIAGE_SHARE))
    spouses = _outside_ids(rng, marrying, context.end)
    couples = people.filter(pl.col("relationship") == "spouse").join(
        context.heads(), on="hh_key"
    )
    divorcing = couples.filter(pl.Series(rng.random(couples.height) < DIVORCE_SHARE))
    return pl.concat(
        [
            _frame(
                marrying["person_key"],
                event="marriage",
                event_date=_dates(context.days_in_window(rng, marrying.height)),
                spouse_resident_id=spouses,
            ),
            _frame(
                divorcing[PERSON],
                event="divorce",
                event_date=_dates(context.days_in_window(rng, divorcing.height)),
                spouse_resident_id=divorcing["resident_id"],
            ),
        ],
        how="vertical_relaxed",
    )


def _outside_ids(
    rng: np.random.Generator, people: pl.DataFrame, latest: date
) -> pl.Series:
    """Generate valid resident IDs of partners born near each given person.

    Partners have the other sex and are born no later than ``latest``.
    """
    python_rng = random.Random(int(rng.integers(0, 2**63)))
    shift = rng.integers(-3 * 365, 3 * 365 + 1, people.height)
    births = (
        people["birth_date"].to_numpy().astype("datetime64[D]")
        + shift.astype("timedelta64[D]")
    ).astype(date)
    regions = rng.integers(0, len(OUTSIDE_REGION_CODES), people.height)
    ids = []
    for born, sex, region in zip(births, people["sex"], regions, strict=True):
        ids.append(
            generate(
                python_rng,
                region_code=OUTSIDE_REGION_CODES[region],
                born=min(born, latest),
                sex=Sex.MALE if sex == "F" else Sex.FEMALE,
            )
        )
    return pl.Series(ids, dtype=pl.Utf8)


def _employment(context: FeedContext, code: str) -> pl.DataFrame:
    return context.facts("employment").filter(pl.col("code") == code)


def wages_tax(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """This month's withheld wages and tax of every employee."""
    employed = _employment(context, "employed").select("person_key")
    wages = context.incomes("wages").join(employed, on="person_key", how="semi")
    gross = wages["monthly_true_fen"].to_numpy()
    return _frame(
        wages["person_key"],
        pay_month=pl.Series([context.start] * wages.height, dtype=pl.Date),
        gross_wage=gross,
        tax_paid=income_tax_fen(gross),
        employer=employer_names(rng, wages.height),
    )


def social_insurance(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Pensions paid by Shanghai's schemes to retired locals."""
    locals_ = context.people.filter(pl.col("hukou_type") == "local").select(
        "person_key"
    )
    retired = _employment(context, "retired").select(
        "person_key", pl.col("valid_from").alias("start_date")
    )
    pensions = (
        context.incomes("pension")
        .join(locals_, on="person_key", how="semi")
        .join(retired, on="person_key", how="left")
    )
    amount = pensions["monthly_true_fen"].to_numpy()
    employee = amount >= EMPLOYEE_PENSION_FROM_YUAN * FEN_PER_YUAN
    start = pensions["start_date"].fill_null(context.end)
    return _frame(
        pensions["person_key"],
        benefit_type=np.where(employee, "employee_pension", "residents_pension"),
        monthly_amount=amount,
        start_date=start,
        end_date=pl.Series([None] * pensions.height, dtype=pl.Date),
    )


def unemployment(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Registered unemployed people, their benefit, and this month's exits."""
    unemployed = _employment(context, "unemployed").select("person_key", "valid_from")
    benefit = context.incomes("transfer").select(
        "person_key", pl.col("monthly_true_fen").alias("benefit")
    )
    rows = unemployed.join(benefit, on="person_key", how="left")
    paid = rows["benefit"].is_not_null().to_numpy()
    registers = paid | (rng.random(rows.height) < UNBENEFITED_REGISTRATION_SHARE)
    rows = rows.filter(pl.Series(registers))
    started = _employment(context, "employed").filter(
        pl.col("valid_from").is_between(context.start, context.end)
    )
    leaving = started.filter(
        pl.Series(rng.random(started.height) < DEREGISTRATION_SHARE)
    )
    none = pl.Series([None] * leaving.height, dtype=pl.Int64)
    return pl.concat(
        [
            _frame(
                rows["person_key"],
                status="registered",
                registered_on=rows["valid_from"],
                benefit_monthly=rows["benefit"],
                benefit_until=pl.Series([None] * rows.height, dtype=pl.Date),
            ),
            _frame(
                leaving["person_key"],
                status="deregistered",
                registered_on=leaving["valid_from"],
                benefit_monthly=none,
                benefit_until=pl.Series([None] * leaving.height, dtype=pl.Date),
            ),
        ],
        how="vertical_relaxed",
    )


def _household_rows(
    context: FeedContext, rng: np.random.Generator, kind: str
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Return one row per item of a household asset kind, owned by the head.

    Returns (rows with hh_key and PERSON, index into the asset rows, fen).
    """
    assets = context.assets(kind).join(context.heads(), on="hh_key")
    owner, amount = split_fen(
        rng,
        assets["value_true_fen"].to_numpy(),
        assets["count"].to_numpy().astype(np.int64),
    )
    return assets[owner].select("hh_key", PERSON), owner, amount


def real_estate(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Write one row per home, from the city's housing assets."""
    homes, _, value = _household_rows(context, rng, "housing")
    urban = homes.join(
        context.city.households.select("hh_key", "community_code"), on="hh_key"
    ).join(
        context.city.regions.select(pl.col("code").alias("community_code"), "urban"),
        on="community_code",
        how="left",
    )["urban"]
    registered = context.days_before(rng, homes.height, 20.0)
    return _frame(
        homes[PERSON],
        certificate_number=property_certificates(rng, registered),
        floor_area_m2=floor_area_hundredths(
            rng, value, urban.fill_null(True).to_numpy()
        ),
        assessed_value=value,
        registered_on=_dates(registered),
    )


def vehicle(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Write one row per vehicle, from the city's vehicle assets."""
    vehicles, _, value = _household_rows(context, rng, "vehicle")
    draw = rng.random(vehicles.height)
    kinds = np.full(vehicles.height, "car", dtype=object)
    edge = 0.0
    for name, share in VEHICLE_TYPE_SHARES.items():
        kinds[(draw >= edge) & (draw < edge + share)] = name
        edge += share
    return _frame(
        vehicles[PERSON],
        plate_number=plate_numbers(rng, vehicles.height),
        vehicle_type=pl.Series(kinds.tolist(), dtype=pl.Utf8),
        value=value,
        registered_on=_dates(context.days_before(rng, vehicles.height, 10.0)),
    )


def financial_asset(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Write one row per account, from deposits, securities and insurance."""
    parts = []
    for kind in ("deposits", "securities", "insurance"):
        accounts, _, balance = _household_rows(context, rng, kind)
        parts.append(
            _frame(
                accounts[PERSON],
                asset_type=kind,
                institution=institutions(rng, kind, accounts.height),
                balance=balance,
            ).with_columns(accounts["hh_key"])
        )
    frame = pl.concat(parts, how="vertical_relaxed")
    frame = _move_to_internet_finance(rng, frame)
    end = pl.Series([context.end] * frame.height, dtype=pl.Date)
    return frame.drop("hh_key").with_columns(end.alias("as_of"))


def _move_to_internet_finance(
    rng: np.random.Generator, frame: pl.DataFrame
) -> pl.DataFrame:
    """Move part of the first deposit of some households to internet finance."""
    first = (frame["asset_type"] == "deposits") & frame["hh_key"].is_first_distinct()
    chosen = first.to_numpy() & (rng.random(frame.height) < INTERNET_FINANCE_SHARE)
    balance = frame["balance"].to_numpy()
    moved = np.where(chosen, (balance * INTERNET_FINANCE_PART).astype(np.int64), 0)
    extra = frame.filter(pl.Series(chosen)).with_columns(
        pl.lit("internet_finance").alias("asset_type"),
        institutions(rng, "internet_finance", int(chosen.sum())).alias("institution"),
        pl.Series("balance", moved[chosen]),
    )
    kept = frame.with_columns(pl.Series("balance", balance - moved))
    return pl.concat([kept, extra]).sort(PERSON, maintain_order=True)


def business_registration(
    context: FeedContext, rng: np.random.Generator
) -> pl.DataFrame:
    """Write the active businesses of the self-employed, and some closed earlier."""
    owners = context.incomes("business")["person_key"]
    employed = _employment(context, "employed")["person_key"]
    closed = employed.filter(
        pl.Series(rng.random(employed.len()) < PAST_BUSINESS_SHARE)
    )
    opened = context.days_before(rng, owners.len() + closed.len(), 15.0)
    active_opened, closed_opened = opened[: owners.len()], opened[owners.len() :]
    span = np.datetime64(context.end, "D") - closed_opened
    ended = (
        closed_opened
        + np.floor(rng.random(closed.len()) * span.astype(np.int64)).astype(
            "timedelta64[D]"
        )
        + np.timedelta64(1, "D")
    )
    ended = np.minimum(ended, np.datetime64(context.end, "D"))
    return pl.concat(
        [
            _frame(
                owners,
                business_status="active",
                registered_capital=_yuan(rng, CAPITAL_MEDIAN_YUAN, 1.0, owners.len()),
                registered_on=_dates(active_opened),
                deregistered_on=pl.Series([None] * owners.len(), dtype=pl.Date),
            ),
            _frame(
                closed,
                business_status="deregistered",
                registered_capital=_yuan(rng, CAPITAL_MEDIAN_YUAN, 1.0, closed.len()),
                registered_on=_dates(closed_opened),
                deregistered_on=_dates(ended),
            ),
        ],
        how="vertical_relaxed",
    ).filter(
        pl.col("deregistered_on").is_null()
        | (pl.col("deregistered_on") > pl.col("registered_on"))
    )


def housing_fund_accounts(
    context: FeedContext, rng: np.random.Generator
) -> pl.DataFrame:
    """Write the housing provident fund accounts of employees."""
    wages = wages_tax(context, rng)
    contribution, balance = housing_fund(rng, wages["gross_wage"].to_numpy())
    return _frame(
        wages[PERSON],
        balance=balance,
        monthly_contribution=contribution,
        as_of=pl.Series([context.end] * wages.height, dtype=pl.Date),
    )


def medical_claim(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Write the claims settled this month, most by the seriously or chronically ill."""
    illness = context.facts("illness")
    serious = illness.filter(pl.col("code") == "serious")["person_key"]
    chronic = illness.filter(pl.col("code") == "chronic")["person_key"]
    everyone = context.people["person_key"]
    others = everyone.filter(~everyone.is_in(illness["person_key"].implode()))
    parts = []
    for group, persons in (
        ("serious", serious),
        ("chronic", chronic),
        ("other", others),
    ):
        chance, median, (low, high) = CLAIMS[group]
        claims = persons.filter(pl.Series(rng.random(persons.len()) < chance))
        total = _yuan(rng, median, 0.8, claims.len())
        share = low + rng.random(claims.len()) * (high - low)
        parts.append(
            _frame(
                claims,
                settled_on=_dates(context.days_in_window(rng, claims.len())),
                total_cost=total,
                out_of_pocket=np.floor(total * share).astype(np.int64),
            )
        )
    return pl.concat(parts).sort(PERSON, maintain_order=True)


def disability_certificate(
    context: FeedContext, rng: np.random.Generator
) -> pl.DataFrame:
    """Write one row for every certificate in the registry's disability facts.

    NOTE: valid_until stays empty, because the registry's facts record no
    expiry and an invented one could end a certificate that the registry still lists.
    """
    facts = context.facts("disability")
    return _frame(
        facts["person_key"],
        certificate_number=facts["reference"],
        category=facts["code"],
        grade=facts["grade"].cast(pl.Utf8),
        issued_on=facts["valid_from"],
        valid_until=pl.Series([None] * facts.height, dtype=pl.Date),
    )


def school_enrolment(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Write the pupils and students of this school year, with fees where charged."""
    facts = context.facts("schooling")
    school_year = context.end.year if context.end.month >= 9 else context.end.year - 1
    draw = rng.random(facts.height)
    status = np.full(facts.height, "enrolled", dtype=object)
    edge = 0.0
    for name, share in SCHOOL_STATUS_SHARES.items():
        status[(draw >= edge) & (draw < edge + share)] = name
        edge += share
    fees = facts.select(
        pl.col("code")
        .replace_strict(TERM_FEES_YUAN, default=None, return_dtype=pl.Int64)
        .mul(FEN_PER_YUAN)
    ).to_series()
    return _frame(
        facts["person_key"],
        school_level=facts["code"],
        status=pl.Series(status.tolist(), dtype=pl.Utf8),
        term_start=pl.Series([date(school_year, 9, 1)] * facts.height, dtype=pl.Date),
        fees=fees,
    )


def utility_arrears(context: FeedContext, rng: np.random.Generator) -> pl.DataFrame:
    """Write unpaid water, power and gas bills, more often of poor households."""
    city = context.city
    sizes = city.persons.group_by("hh_key").len()
    income = city.incomes.join(
        city.persons.select("person_key", "hh_key"), on="person_key"
    )
    totals = income.group_by("hh_key").agg(pl.col("monthly_true_fen").sum())
    households = (
        context.heads()
        .join(sizes, on="hh_key")
        .join(totals, on="hh_key", how="left")
        .sort("hh_key")
    )
    per_capita = households["monthly_true_fen"].fill_null(0) // households["len"]
    poor = (per_capita < dibao_standard_fen(context.as_of)).to_numpy()
    chance = np.where(poor, ARREARS_POOR_WEIGHT, 1.0) * ARREARS_SHARE
    owing = households.filter(pl.Series(rng.random(households.height) < chance))
    utilities = list(MONTHLY_BILL_YUAN)
    first = rng.integers(0, len(utilities), owing.height)
    second = rng.random(owing.height) < 0.3
    person = np.concatenate(
        [owing[PERSON].to_numpy(), owing[PERSON].to_numpy()[second]]
    )
    utility = np.concatenate([first, (first[second] + 1) % len(utilities)])
    months = rng.integers(1, 7, person.size)
    bill = np.array([MONTHLY_BILL_YUAN[name] for name in utilities])[utility]
    arrears = np.round(bill * months * np.exp(rng.normal(0, 0.3, person.size)) * 100)
    order = np.argsort(person, kind="stable")
    return _frame(
        person[order],
        utility=pl.Series([utilities[i] for i in utility[order]], dtype=pl.Utf8),
        arrears=np.maximum(arrears, 100).astype(np.int64)[order],
        months_in_arrears=months[order].astype(np.int64),
        as_of=pl.Series([context.end] * person.size, dtype=pl.Date),
    )


BUILDERS: Final[dict[str, Builder]] = {
    "household_registration": household_registration,
    "marriage": marriage,
    "wages_tax": wages_tax,
    "social_insurance": social_insurance,
    "unemployment": unemployment,
    "real_estate": real_estate,
    "vehicle": vehicle,
    "financial_asset": financial_asset,
    "business_registration": business_registration,
    "housing_fund": housing_fund_accounts,
    "medical_claim": medical_claim,
    "disability_certificate": disability_certificate,
    "school_enrolment": school_enrolment,
    "utility_arrears": utility_arrears,
}
