"""Outcomes per signal: counts, the share that led to help, time to resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from doudi.monitoring import services
from doudi.monitoring.learning import WARNINGS_SCHEMA, signal_outcomes
from doudi.monitoring.models import SignalWeight
from doudi.monitoring.weights import current_weights, default_weights
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry
from doudi.registry import services as registry
from doudi.registry.choices import FactKind

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row(code: str, status: str, outcome: str = "", days: float | None = None):
    closed = START + timedelta(days=days) if days is not None else None
    return (code, status, outcome, START, closed)


def _frame(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=WARNINGS_SCHEMA, orient="row")


def test_help_share_counts_three_outcomes():
    frame = _frame(
        [
            _row("income_drop", "resolved", "benefit_delivered", 2),
            _row("income_drop", "resolved", "new_case", 4),
            _row("income_drop", "resolved", "case_by_case", 6),
            _row("income_drop", "resolved", "recheck", 8),
            _row("income_drop", "closed", "", 10),
            _row("income_drop", "new"),
        ]
    )

    (result,) = signal_outcomes(frame)

    assert result.warnings == 6
    assert result.open == 1
    assert result.ended == 5
    assert result.helped == 3
    assert result.help_share == pytest.approx(0.6)
    assert result.median_days_to_resolution == pytest.approx(6.0)


def test_signal_without_ended_warnings():
    (result,) = signal_outcomes(_frame([_row("turning_60", "assigned")]))

    assert result.help_share is None
    assert result.median_days_to_resolution is None


def test_rows_most_warnings_first():
    frame = _frame(
        [
            _row("a_signal", "new"),
            _row("b_signal", "new"),
            _row("b_signal", "new"),
        ]
    )

    assert [r.reason_code for r in signal_outcomes(frame)] == ["b_signal", "a_signal"]


def test_empty_frame_gives_no_rows():
    assert signal_outcomes(_frame([])) == []


OUTCOMES = st.sampled_from(
    [
        ("resolved", "benefit_delivered"),
        ("resolved", "new_case"),
        ("resolved", "case_by_case"),
        ("resolved", "recheck"),
        ("closed", ""),
        ("new", ""),
        ("visited", ""),
    ]
)


@given(st.lists(st.tuples(OUTCOMES, st.integers(0, 400)), max_size=40))
def test_counts_add_up(items):
    rows = [
        _row("s", status, outcome, days if status in {"resolved", "closed"} else None)
        for (status, outcome), days in items
    ]

    results = signal_outcomes(_frame(rows))

    if not rows:
        assert results == []
        return
    (result,) = results
    assert result.open + result.ended == result.warnings == len(rows)
    assert 0 <= result.helped <= result.ended
    if result.help_share is not None:
        assert 0 <= result.help_share <= 1


@pytest.mark.django_db
def test_save_weights_audited_and_idempotent(users):
    code = next(iter(default_weights()))

    changed = services.save_weights(users["city"], {code: "7.50"})
    again = services.save_weights(users["city"], {code: Decimal("7.5")})

    assert changed == [code]
    assert again == []
    assert current_weights()[code] == Decimal("7.50")
    assert SignalWeight.objects.get(code=code).changed_by == users["city"]
    entry = AuditEntry.objects.get(object_type="monitoring.signalweight")
    assert entry.action == AuditAction.UPDATE
    assert entry.detail[code][1] == "7.50"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-1", "10000", "1.234", "abc", "NaN"])
def test_save_weights_rejects_bad_value(users, value):
    code = next(iter(default_weights()))

    with pytest.raises(ValidationError, match=code):
        services.save_weights(users["city"], {code: value})
    assert SignalWeight.objects.count() == 0


@pytest.mark.django_db
def test_save_weights_rejects_unknown_signal(users):
    with pytest.raises(ValidationError, match="not a signal"):
        services.save_weights(users["city"], {"no_such_signal": "1"})


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["owner", "street", "district", "analyst"])
def test_only_policy_officer_sets_weights(users, name):
    code = next(iter(default_weights()))

    with pytest.raises(PermissionDenied):
        services.save_weights(users[name], {code: "1"})
    with pytest.raises(PermissionDenied):
        services.preview(users[name], {code: "1"})


@pytest.mark.django_db
def test_preview_writes_nothing(users, household):
    code = next(iter(default_weights()))

    result = services.preview(users["city"], {code: "0"})

    assert SignalWeight.objects.count() == 0
    assert {row.code for row in result.rows} == set(default_weights())
    assert result.total_before >= result.total_after >= 0


@pytest.mark.django_db
def test_preview_shows_effect_of_a_higher_weight(users, household):
    head = household.memberships.get(relationship="head").person
    registry.record_fact(
        users["owner"],
        person=head,
        kind=FactKind.ILLNESS,
        valid_from=timezone.localdate() - timedelta(days=30),
        code="serious",
    )

    # Alone, the illness (weight 3) stays under the threshold of 4 and warns
    # only once its weight reaches 4.
    result = services.preview(users["city"], {"serious_illness_new": "4"})

    row = next(r for r in result.rows if r.code == "serious_illness_new")
    assert (row.before, row.after, row.change) == (0, 1, 1)
    assert row.proposed_weight == Decimal("4.00")
    assert SignalWeight.objects.count() == 0
