"""Each default signal fires on a crafted household and not on a near miss.

The frames are built by hand, so these tests need no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from doudi.exchange.kinds import MONITORING_KINDS
from doudi.monitoring.signals.evaluate import (
    ASSETS_SCHEMA,
    CONTACTS_SCHEMA,
    FACTS_SCHEMA,
    PERSONS_SCHEMA,
    ScanFrames,
    evaluate,
)
from doudi.monitoring.signals.loader import load_signals
from doudi.monitoring.signals.model import SignalSet

DAY = date(2026, 12, 1)
HOUSEHOLD = 1
DEFAULT = Path(__file__).resolve().parents[1] / "signals" / "default.yaml"


@pytest.fixture(scope="module")
def default_signals() -> SignalSet:
    return load_signals(
        DEFAULT, allowed_exchange_kinds={str(kind) for kind in MONITORING_KINDS}
    )


@dataclass
class City:
    """A one-household city: head (person 1, born 1980) and optional others."""

    persons: list[dict[str, Any]] = field(
        default_factory=lambda: [_person(1, date(1980, 5, 1))]
    )
    facts: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    assets: list[dict[str, Any]] = field(default_factory=list)

    def frames(self) -> ScanFrames:
        return ScanFrames(
            pl.DataFrame(self.persons, schema=PERSONS_SCHEMA),
            pl.DataFrame(self.facts, schema=FACTS_SCHEMA),
            pl.DataFrame(self.contacts, schema=CONTACTS_SCHEMA),
            pl.DataFrame(self.assets, schema=ASSETS_SCHEMA),
        )


def _person(
    person_id: int, born: date, *, current: bool = True, hukou: str = "local"
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "household_id": HOUSEHOLD,
        "birth_date": born,
        "hukou_type": hukou,
        "current": current,
    }


def _fact(
    source: str,
    kind: str,
    valid_from: date,
    *,
    person_id: int = 1,
    item: str = "",
    code: str = "",
    grade: int | None = None,
    quantity: float | None = None,
    amount_fen: int | None = None,
    valid_to: date | None = None,
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "source": source,
        "kind": kind,
        "item": item,
        "code": code,
        "grade": grade,
        "quantity": quantity,
        "amount_fen": amount_fen,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _income(fen: int, since: date = date(2026, 1, 1), **options: Any) -> dict[str, Any]:
    return _fact("registry", "income", since, code="wages", amount_fen=fen, **options)


def _fired(signals: SignalSet, city: City) -> set[str]:
    return set(evaluate(signals, city.frames(), DAY)["code"].to_list())


def _medical(amount_fen: int) -> City:
    return City(
        facts=[
            _income(300_000),
            _fact(
                "exchange",
                "medical_claim",
                date(2026, 9, 1),
                item="medical_out_of_pocket",
                amount_fen=amount_fen,
            ),
        ]
    )


def _exchange(kind: str, item: str, valid_from: date, **values: Any) -> City:
    return City(facts=[_fact("exchange", kind, valid_from, item=item, **values)])


def _registry(kind: str, valid_from: date, **values: Any) -> City:
    return City(facts=[_fact("registry", kind, valid_from, **values)])


def _death(born: date, *, earner_fen: int = 0, other_fen: int = 0) -> City:
    return City(
        persons=[
            _person(1, born, current=False),
            _person(2, date(1982, 1, 1)),
        ],
        facts=[
            _income(earner_fen),
            _income(other_fen, person_id=2),
            _fact(
                "exchange",
                "household_registration",
                date(2026, 10, 1),
                item="registration",
                code="death",
            ),
        ],
    )


def _drop(after_fen: int) -> City:
    return City(
        facts=[
            _income(500_000, valid_to=date(2026, 10, 1)),
            _income(after_fen, since=date(2026, 10, 1)),
        ]
    )


def _fees(amount_fen: int) -> City:
    return City(
        persons=[_person(1, date(1980, 5, 1)), _person(2, date(2012, 2, 1))],
        facts=[
            _income(200_000),
            _fact(
                "exchange",
                "school_enrolment",
                date(2026, 9, 1),
                person_id=2,
                item="education",
                amount_fen=amount_fen,
            ),
        ],
    )


def _alone(born: date, contact: date | None) -> City:
    return City(
        persons=[_person(1, born)],
        facts=[_fact("registry", "living_alone", date(2020, 1, 1), code="yes")],
        contacts=[]
        if contact is None
        else [{"household_id": HOUSEHOLD, "last_contact": contact}],
    )


def _benefit(valid_to: date, *, renewed: bool = False) -> City:
    facts = [
        _fact(
            "exchange",
            "unemployment",
            date(2026, 3, 1),
            item="benefit",
            amount_fen=180_000,
            valid_to=valid_to,
        )
    ]
    if renewed:
        facts.append(
            _fact(
                "exchange",
                "unemployment",
                valid_to,
                item="benefit",
                amount_fen=180_000,
            )
        )
    return City(facts=facts)


def _born(born: date) -> City:
    return City(persons=[_person(1, date(1980, 5, 1)), _person(2, born)])


def _low_income(
    per_capita_fen: int, hukou: str = "elsewhere", deposits_fen: int = 0
) -> City:
    return City(
        persons=[
            _person(1, date(1980, 5, 1), hukou=hukou),
            _person(2, date(1982, 1, 1)),
        ],
        facts=[_income(per_capita_fen * 2)],
        assets=[
            {"household_id": HOUSEHOLD, "kind": "deposits", "value_fen": deposits_fen},
            {"household_id": HOUSEHOLD, "kind": "housing", "value_fen": 10**9},
        ],
    )


# Each case: signal code, the crafted city, and a near miss that must not fire.
CASES: list[tuple[str, City, City]] = [
    # 12 months of 3,000 yuan is 36,000; 30 % of it is 10,800 yuan.
    ("medical_spending", _medical(1_080_000), _medical(1_079_900)),
    (
        "serious_illness_new",
        _registry("illness", date(2026, 7, 1), code="serious"),
        _registry("illness", date(2026, 7, 1), code="chronic"),
    ),
    (
        "serious_illness_new",
        _registry("illness", date(2026, 6, 1), code="serious"),
        _registry("illness", date(2026, 5, 31), code="serious"),
    ),
    (
        "severe_disability_new",
        _exchange("disability_certificate", "disability", date(2026, 8, 1), quantity=2),
        _exchange("disability_certificate", "disability", date(2026, 8, 1), quantity=3),
    ),
    (
        "disability_new",
        _registry("disability", date(2026, 8, 1), code="physical", grade=3),
        _registry("disability", date(2026, 8, 1), code="physical", grade=2),
    ),
    (
        "unemployment_registered",
        _exchange("unemployment", "unemployment", date(2026, 11, 1), code="registered"),
        _exchange(
            "unemployment", "unemployment", date(2026, 11, 1), code="deregistered"
        ),
    ),
    ("working_age_death", _death(date(1970, 1, 1)), _death(date(1960, 1, 1))),
    (
        "main_earner_death",
        _death(date(1950, 1, 1), earner_fen=400_000, other_fen=100_000),
        _death(date(1950, 1, 1), earner_fen=100_000, other_fen=400_000),
    ),
    ("income_drop", _drop(350_000), _drop(350_100)),
    ("low_income_elsewhere", _low_income(247_499), _low_income(247_500)),
    ("low_income_elsewhere", _low_income(0), _low_income(0, hukou="local")),
    # 39,600 yuan per member of two is 7,920,000 fen in all.
    (
        "low_income_elsewhere",
        _low_income(0, deposits_fen=7_919_999),
        _low_income(0, deposits_fen=7_920_000),
    ),
    (
        "utility_arrears",
        _exchange("utility_arrears", "utility_arrears", date(2026, 11, 1), quantity=3),
        _exchange("utility_arrears", "utility_arrears", date(2026, 11, 1), quantity=2),
    ),
    (
        "school_dropout",
        City(
            persons=[_person(1, date(2011, 1, 1))],
            facts=[
                _fact(
                    "exchange",
                    "school_enrolment",
                    date(2026, 9, 1),
                    item="schooling",
                    code="dropped_out",
                )
            ],
        ),
        City(
            persons=[_person(1, date(2008, 1, 1))],
            facts=[
                _fact(
                    "exchange",
                    "school_enrolment",
                    date(2026, 9, 1),
                    item="schooling",
                    code="dropped_out",
                )
            ],
        ),
    ),
    # 12 months of 2,000 yuan is 24,000; 20 % of it is 4,800 yuan.
    ("school_fees", _fees(480_000), _fees(479_999)),
    (
        "elderly_alone_no_contact",
        _alone(date(1950, 1, 1), date(2026, 5, 31)),
        _alone(date(1950, 1, 1), date(2026, 6, 1)),
    ),
    (
        "elderly_alone_no_contact",
        _alone(date(1956, 12, 1), None),
        _alone(date(1956, 12, 2), None),
    ),
    (
        "fully_dependent_new",
        _registry("care_level", date(2026, 10, 1), code="fully_dependent"),
        _registry("care_level", date(2026, 10, 1), code="partly_dependent"),
    ),
    (
        "unemployment_benefit_ended",
        _benefit(date(2026, 11, 1)),
        _benefit(date(2026, 11, 1), renewed=True),
    ),
    ("turning_60", _born(date(1966, 11, 15)), _born(date(1966, 12, 2))),
    ("turning_16", _born(date(2010, 11, 2)), _born(date(2010, 10, 31))),
    (
        "unsupported_child_new",
        _registry("unsupported_child", date(2026, 11, 1), code="yes"),
        _registry("unsupported_child", date(2026, 5, 1), code="yes"),
    ),
    (
        "released_prisoner_new",
        _registry("released_prisoner", date(2026, 11, 1), code="yes"),
        _registry("released_prisoner", date(2025, 11, 1), code="yes"),
    ),
]


@pytest.mark.parametrize(
    ("code", "crafted", "near_miss"),
    CASES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)],
)
def test_signal_fires_only_on_crafted(
    default_signals: SignalSet, code: str, crafted: City, near_miss: City
) -> None:
    assert code in _fired(default_signals, crafted)
    assert code not in _fired(default_signals, near_miss)


def test_every_default_signal_has_a_case(default_signals: SignalSet) -> None:
    tested = {case[0] for case in CASES}
    assert {signal.code for signal in default_signals.signals} <= tested


def test_former_member_fires_no_new_fact(default_signals: SignalSet) -> None:
    city = _registry("illness", date(2026, 7, 1), code="serious")
    city.persons = [_person(1, date(1980, 5, 1), current=False)]
    assert _fired(default_signals, city) == set()


def test_fired_row_has_figures(default_signals: SignalSet) -> None:
    fired = evaluate(default_signals, _medical(2_000_000).frames(), DAY)
    row = fired.filter(pl.col("code") == "medical_spending").row(0, named=True)
    assert row["household_id"] == HOUSEHOLD
    assert row["figure"] == 2_000_000
    assert row["event_date"] == date(2026, 9, 1)
    assert row["members"] == 1
