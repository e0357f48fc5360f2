import io

import pytest
import yaml
from django.core.management import CommandError, call_command

# The command reads approved parameter changes from the database.
pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def test_show_standard_on_change_day():
    output = _run("show", "dibao.standard", "--city", "Shanghai", "--on", "2021-07-01")
    assert "dibao.standard = 1330" in output
    assert "source:" in output


def test_show_before_first_value_fails():
    with pytest.raises(CommandError, match="no value takes effect"):
        _run("show", "dibao.standard", "--city", "Shanghai", "--on", "2001-01-01")


def test_export_is_loadable_yaml():
    document = yaml.safe_load(_run("export", "--city", "Hangzhou"))
    assert document["city"] == "Hangzhou"


def test_unknown_city_rejected():
    with pytest.raises(CommandError, match="no parameter file for city"):
        _run("export", "--city", "Atlantis")
