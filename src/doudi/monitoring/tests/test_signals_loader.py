"""The signal file loader: the shipped file loads, malformed ones name their line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.exchange.kinds import MONITORING_KINDS
from doudi.monitoring import signals
from doudi.monitoring.signals.loader import SignalFileError, parse_signals
from doudi.monitoring.signals.model import SignalSet, WindowUnit

ALLOWED = {str(kind) for kind in MONITORING_KINDS}

VALID = """\
version: 1
warn_at: 3
signals:
  - code: serious_illness_new
    weight: {weight}
    category: illness
    validity: {{amount: {amount}, unit: {unit}}}
    reason:
      zh: 家庭成员新近确诊重大疾病
      en: A member was recently diagnosed with a serious illness
    rule:
      type: new_fact
      facts:
        - {{source: {source}, kind: {kind}, codes: [serious]}}
"""
WEIGHT_LINE = 5
VALIDITY_LINE = 7
FACT_LINE = 14


def _text(
    weight: str = "3",
    amount: str = "6",
    unit: str = "months",
    source: str = "registry",
    kind: str = "illness",
) -> str:
    return VALID.format(
        weight=weight, amount=amount, unit=unit, source=source, kind=kind
    )


def _parse(text: str) -> SignalSet:
    return parse_signals(text, source="test.yaml", allowed_exchange_kinds=ALLOWED)


def _error(text: str) -> SignalFileError:
    with pytest.raises(SignalFileError) as caught:
        _parse(text)
    return caught.value


def test_shipped_file_loads() -> None:
    loaded = signals._load(signals.DIRECTORY / "default.yaml")
    codes = [signal.code for signal in loaded.signals]
    assert len(codes) == len(set(codes))
    assert all(signal.reason("zh") and signal.reason("en") for signal in loaded.signals)
    assert {check.code for check in loaded.checks} >= {"missed:dibao", "exit:dibao"}


def test_definitions_use_settings(settings: object) -> None:
    found = signals.definitions()
    assert found[0].reason("en-us") == found[0].reasons["en"]
    assert signals.reason("missed:dibao", "en").startswith("May qualify")
    assert signals.reason("gone_signal", "zh") == "gone_signal"


def test_valid_file_parses() -> None:
    loaded = _parse(_text())
    signal = loaded.signals[0]
    assert signal.weight == Decimal(3)
    assert signal.validity.unit == WindowUnit.MONTHS
    assert signal.line == 4
    assert loaded.warn_at == Decimal(3)


def test_authorised_kind_rejected() -> None:
    error = _error(_text(source="exchange", kind="wages_tax"))
    assert error.line == FACT_LINE
    assert "authorisation" in error.problem


def test_unknown_unit_rejected() -> None:
    error = _error(_text(unit="fortnights"))
    assert error.line == VALIDITY_LINE
    assert "fortnights" in error.problem


def test_missing_key_names_signal_line() -> None:
    text = _text().replace("    category: illness\n", "")
    error = _error(text)
    assert error.line == 4
    assert "category" in error.problem


def test_unknown_key_rejected() -> None:
    text = _text().replace(
        "    category: illness\n", "    category: illness\n    x: 1\n"
    )
    error = _error(text)
    assert error.line == 7
    assert "'x'" in error.problem


def test_duplicate_code_rejected() -> None:
    text = _text()
    body = text.split("signals:\n", 1)[1]
    error = _error(text + body)
    assert error.line == 15
    assert "already defined on line 4" in error.problem


def test_unknown_rule_type_rejected() -> None:
    error = _error(_text().replace("type: new_fact", "type: guess"))
    assert error.line == 12
    assert "guess" in error.problem


def test_rule_keys_checked_per_type() -> None:
    text = _text().replace("type: new_fact", "type: income_drop")
    error = _error(text)
    assert error.line == 13
    assert "'facts' is not allowed in the income_drop rule" in error.problem


def test_syntax_error_has_line() -> None:
    error = _error(_text() + "  - code: [unclosed\n")
    assert error.line is not None
    assert error.line >= 15
    assert "invalid YAML" in error.problem


def test_empty_file_rejected() -> None:
    assert _error("").line == 1


def test_check_needs_scheme_placeholder() -> None:
    text = _text().replace(
        "signals:",
        "schemes:\n  dibao: {zh: 低保, en: dibao}\n"
        "checks:\n  missed:\n    schemes: [dibao]\n    weight: 5\n"
        "    category: missed_assistance\n"
        "    reason: {zh: 可能符合条件, en: May qualify}\n"
        "signals:",
    )
    error = _error(text)
    assert error.line == 10
    assert "{scheme}" in error.problem


def test_check_reason_fills_scheme() -> None:
    text = _text().replace(
        "signals:",
        "schemes:\n  dibao: {zh: 低保, en: dibao}\n"
        "checks:\n  missed:\n    schemes: [dibao]\n    weight: 5\n"
        "    category: missed_assistance\n"
        "    reason: {zh: '可能符合{scheme}条件', en: 'May qualify for {scheme}'}\n"
        "signals:",
    )
    check = _parse(text).checks[0]
    assert check.code == "missed:dibao"
    assert check.reason("en") == "May qualify for dibao"


@given(st.decimals(min_value=0, max_value=Decimal("9999.99"), places=2))
def test_weights_in_range_load(weight: Decimal) -> None:
    assert _parse(_text(weight=str(weight))).signals[0].weight == weight


@given(
    st.one_of(
        st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False),
        st.decimals(min_value=Decimal("10000"), places=2, allow_nan=False),
        st.decimals(min_value=0, max_value=100, places=3).filter(
            lambda value: value != round(value, 2)
        ),
    ).filter(lambda value: value.is_finite())
)
def test_weights_out_of_range_rejected(weight: Decimal) -> None:
    error = _error(_text(weight=str(weight)))
    assert error.line == WEIGHT_LINE
    assert "weight" in error.problem


@given(
    st.sampled_from(list(WindowUnit)).flatmap(
        lambda unit: st.tuples(
            st.just(unit),
            st.integers(min_value=-5, max_value=4000),
        )
    )
)
def test_window_bounds(unit_and_amount: tuple[WindowUnit, int]) -> None:
    unit, amount = unit_and_amount
    limits = {WindowUnit.DAYS: 3660, WindowUnit.WEEKS: 523, WindowUnit.MONTHS: 120}
    text = _text(amount=str(amount), unit=unit.value)
    if 1 <= amount <= limits[unit]:
        assert _parse(text).signals[0].validity.amount == amount
    else:
        assert _error(text).line == VALIDITY_LINE


def test_error_message_names_file_and_line() -> None:
    error = _error(_text(unit="fortnights"))
    assert str(error).startswith(f"test.yaml, line {VALIDITY_LINE}: ")


def test_load_signals_reads_path(tmp_path: Path) -> None:
    from doudi.monitoring.signals.loader import load_signals

    path = tmp_path / "city.yaml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(SignalFileError, match="UTF-8"):
        load_signals(path, allowed_exchange_kinds=ALLOWED)
