"""Quiet hours, retry backoff and template rendering (plain Python rules)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.notifications.rendering import TemplateError, render, templates
from doudi.notifications.schedule import backoff_seconds, in_quiet_hours, release_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUIRED = {
    "help_request_received",
    "help_request_status",
    "case_step_changed",
    "service_guide",
    "warning_assigned",
    "sign_in_code",
}

moments = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 1, 1),
    timezones=st.just(UTC),
)
clock = st.times().map(lambda moment: moment.replace(second=0, microsecond=0))


@given(now=moments, start=clock, end=clock)
def test_release_never_in_quiet_hours(now: datetime, start: time, end: time) -> None:
    release = release_time(now, SHANGHAI, start, end)

    assert now <= release < now + timedelta(days=1)
    assert not in_quiet_hours(release.astimezone(SHANGHAI).time(), start, end)


@given(now=moments, start=clock, end=clock)
def test_outside_quiet_hours_unchanged(now: datetime, start: time, end: time) -> None:
    local = now.astimezone(SHANGHAI).time()
    if not in_quiet_hours(local, start, end):
        assert release_time(now, SHANGHAI, start, end) == now


def test_release_in_shanghai_time() -> None:
    # 15:30 UTC is 23:30 in Shanghai (UTC+8), inside 22:00 to 07:00.
    now = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)

    release = release_time(now, SHANGHAI, time(22, 0), time(7, 0))

    assert release == datetime(2026, 6, 1, 23, 0, tzinfo=UTC)


def test_no_quiet_hours_sends_now() -> None:
    now = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)
    assert release_time(now, SHANGHAI, None, None) == now


@given(attempt=st.integers(min_value=1, max_value=100))
def test_backoff_grows_and_is_capped(attempt: int) -> None:
    wait = backoff_seconds(attempt, 60, 3600)
    assert 60 <= wait <= 3600
    assert backoff_seconds(attempt + 1, 60, 3600) >= wait


def test_backoff_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="attempt must be 1 or more"):
        backoff_seconds(0, 60, 3600)


def test_required_templates_present() -> None:
    assert set(templates()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(templates()))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_template_renders(name: str, language: str) -> None:
    template = templates()[name]
    context = {placeholder: f"<{placeholder}>" for placeholder in template.placeholders}

    rendered = render(name, language, context)

    for placeholder in template.placeholders:
        assert f"<{placeholder}>" in rendered.subject + rendered.body
    assert rendered.sms_template_code.startswith("SMS_")


@given(value=st.text())
def test_context_inserted_literally(value: str) -> None:
    rendered = render("help_request_received", "en", {"reference": value})
    assert value in rendered.body


def test_unknown_template_named() -> None:
    with pytest.raises(TemplateError, match="unknown notification template 'nope'"):
        render("nope", "en", {})


def test_unknown_language_named() -> None:
    with pytest.raises(TemplateError, match="unknown language 'fr'"):
        render("help_request_received", "fr", {"reference": "Q"})


def test_non_string_context_named() -> None:
    with pytest.raises(TemplateError, match=r"context 'reference'.*is int"):
        render("help_request_received", "en", {"reference": 7})  # type: ignore[dict-item]
