"""`doudi workdays load` and `doudi workdays show`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from doudi.workdays.models import OfficialSchedule
from doudi.workdays.tests.conftest import EXAMPLE_2027

SOURCE = "Example notice (synthetic)"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


def _load(username: str = "city", path: str = str(EXAMPLE_2027)) -> str:
    return _run("load", path, "--year", "2027", "--source", SOURCE, "--as", username)


def test_load_stores_schedule(users):
    output = _load()

    assert output.startswith("2027: created (33 days, revision 1)")
    schedule = OfficialSchedule.objects.get(year=2027)
    assert schedule.loaded_by == users["city"]
    assert schedule.source == SOURCE


def test_load_again_reports_unchanged(users):
    _load()

    assert _load().startswith("2027: unchanged")
    assert OfficialSchedule.objects.get(year=2027).revision == 1


def test_load_invalid_file_lists_lines(users, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,kind,name\n2027-02-10,working_day,春节\n2028-01-01,holiday,元旦\n"
    )

    with pytest.raises(CommandError) as raised:
        _load(path=str(bad))

    message = str(raised.value)
    assert "line 2: 2027-02-10 is a Wednesday" in message
    assert "line 3: 2028-01-01 is not in 2027" in message
    assert not OfficialSchedule.objects.exists()


def test_load_by_other_role_rejected(users):
    with pytest.raises(CommandError, match="Only city administrators"):
        _load("street")


def test_load_unknown_user_rejected(db):
    with pytest.raises(CommandError, match="No user is named 'nobody'"):
        _load("nobody")


def test_load_missing_file_rejected(users, tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        _load(path=str(tmp_path / "missing.csv"))


def test_show_package_year(db):
    output = _run("show", "2026")

    assert output.splitlines()[0] == "2026: from the chinese_calendar package"
    assert "2026-10-10\tSat\tworking_day\t国庆节" in output
    assert "2026-02-16\tMon\tholiday\t春节" in output


def test_show_loaded_year(users):
    _load()

    output = _run("show", "2027")

    assert output.startswith("2027: loaded by city on ")
    assert f"source: {SOURCE}" in output
    assert "2027-02-20\tSat\tworking_day\t春节" in output
    assert len(output.splitlines()) == 34


def test_show_missing_year(db):
    output = _run("show", "2030")

    assert output.startswith("2030: missing.")
    assert "provisional" in output
