"""Settings fail loudly, naming the variable, on missing or invalid values.

The env readers are called with an explicit mapping. The production checks
import `doudi.settings` in a fresh interpreter, because Django reads
settings once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from doudi.core.env import (
    EnvError,
    Environment,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

READ_SECRET = (
    "import django; from django.conf import settings; print(settings.SECRET_KEY)"
)
SECRET = "synthetic-production-secret-for-tests-0123456789"
FIELD_KEYS = "prod1:cHJvZC1maWVsZC1rZXktc3ludGhldGljLTAwMDAwMDA="
BLIND_KEY = "cHJvZC1ibGluZC1rZXktc3ludGhldGljLTAwMDAwMDA="
DEV_SECRET = "doudi-development-only-not-secret"


# The env readers


def test_bool_rejects_maybe():
    with pytest.raises(EnvError, match="DOUDI_FLAG='maybe' is not a boolean"):
        env_bool("DOUDI_FLAG", False, environ={"DOUDI_FLAG": "maybe"})


@pytest.mark.parametrize(
    ("text", "expected"), [("1", True), ("Yes", True), ("off", False), ("FALSE", False)]
)
def test_bool_reads_words(text, expected):
    assert (
        env_bool("DOUDI_FLAG", not expected, environ={"DOUDI_FLAG": text}) is expected
    )


@pytest.mark.parametrize("text", ["", "  "])
def test_bool_blank_means_default(text):
    assert env_bool("DOUDI_FLAG", True, environ={"DOUDI_FLAG": text}) is True


def test_bool_unset_means_default():
    assert env_bool("DOUDI_FLAG", True, environ={}) is True


def test_int_rejects_letters():
    with pytest.raises(EnvError, match="DOUDI_COUNT='abc' is not an integer"):
        env_int("DOUDI_COUNT", 1, environ={"DOUDI_COUNT": "abc"})


def test_int_rejects_below_minimum():
    with pytest.raises(EnvError, match="DOUDI_COUNT=0 is below the minimum 1"):
        env_int("DOUDI_COUNT", 5, minimum=1, environ={"DOUDI_COUNT": "0"})


def test_int_accepts_minimum():
    assert env_int("DOUDI_COUNT", 5, minimum=1, environ={"DOUDI_COUNT": "1"}) == 1


def test_int_blank_means_default():
    assert env_int("DOUDI_COUNT", 5, environ={"DOUDI_COUNT": " "}) == 5


def test_str_required_missing_names_variable():
    with pytest.raises(EnvError, match="DOUDI_SECRET_KEY is not set"):
        env_str("DOUDI_SECRET_KEY", "fallback", required=True, environ={})


def test_str_without_default_missing_names_variable():
    with pytest.raises(EnvError, match="DOUDI_FIELD_KEYS is not set"):
        env_str("DOUDI_FIELD_KEYS", None, environ={"DOUDI_FIELD_KEYS": ""})


def test_str_returns_value():
    assert env_str("DOUDI_NAME", "x", environ={"DOUDI_NAME": "value"}) == "value"


def test_choice_rejects_unknown_environment():
    with pytest.raises(EnvError, match="DOUDI_ENV='staging' is invalid"):
        env_choice(
            "DOUDI_ENV",
            Environment.DEVELOPMENT,
            Environment,
            environ={"DOUDI_ENV": "staging"},
        )


def test_choice_error_lists_choices():
    with pytest.raises(EnvError, match="development, test, production"):
        env_choice(
            "DOUDI_ENV",
            Environment.DEVELOPMENT,
            Environment,
            environ={"DOUDI_ENV": "staging"},
        )


def test_choice_accepts_known_value():
    value = env_choice(
        "DOUDI_ENV",
        Environment.DEVELOPMENT,
        Environment,
        environ={"DOUDI_ENV": "production"},
    )
    assert value == Environment.PRODUCTION


def test_list_drops_blanks():
    assert env_list("DOUDI_HOSTS", [], environ={"DOUDI_HOSTS": "a, ,b,"}) == ["a", "b"]


# Production settings in a fresh interpreter


def _import_settings(
    tmp_path: Path, **variables: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DOUDI_") and name not in {"DATABASE_URL"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "doudi.settings",
            "DOUDI_ENV": "production",
            "DOUDI_DATA_DIR": str(tmp_path),
        }
    )
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "-c", READ_SECRET],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _complete_production(**overrides: str) -> dict[str, str]:
    variables = {
        "DOUDI_SECRET_KEY": SECRET,
        "DOUDI_FIELD_KEYS": FIELD_KEYS,
        "DOUDI_FIELD_KEY_CURRENT": "prod1",
        "DOUDI_BLIND_INDEX_KEY": BLIND_KEY,
        "DOUDI_ALLOWED_HOSTS": "doudi.example.org",
    }
    variables.update(overrides)
    return variables


def test_production_complete_settings_load(tmp_path):
    result = _import_settings(tmp_path, **_complete_production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SECRET


def test_production_without_secret_fails(tmp_path):
    result = _import_settings(tmp_path)
    assert result.returncode != 0
    assert "DOUDI_SECRET_KEY is not set" in result.stderr


def test_production_without_field_keys_fails(tmp_path):
    result = _import_settings(tmp_path, DOUDI_SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "DOUDI_FIELD_KEYS is not set" in result.stderr


def test_production_without_current_key_fails(tmp_path):
    variables = _complete_production()
    del variables["DOUDI_FIELD_KEY_CURRENT"]
    result = _import_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert "DOUDI_FIELD_KEY_CURRENT is not set" in result.stderr


def test_production_without_blind_key_fails(tmp_path):
    variables = _complete_production()
    del variables["DOUDI_BLIND_INDEX_KEY"]
    result = _import_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert "DOUDI_BLIND_INDEX_KEY is not set" in result.stderr


def test_production_rejects_development_secret(tmp_path):
    result = _import_settings(
        tmp_path, **_complete_production(DOUDI_SECRET_KEY=DEV_SECRET)
    )
    assert result.returncode != 0
    assert "DOUDI_SECRET_KEY contains the public development key" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DOUDI_FIELD_KEYS", "dev1:ZG91ZGktZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="),
        ("DOUDI_BLIND_INDEX_KEY", "ZG91ZGktZGV2LWJsaW5kLWluZGV4LWtleS1ub3Qtc2U="),
    ],
)
def test_production_rejects_development_keys(tmp_path, variable, value):
    variables = _complete_production(**{variable: value})
    if variable == "DOUDI_FIELD_KEYS":
        variables["DOUDI_FIELD_KEY_CURRENT"] = "dev1"
    result = _import_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert f"{variable} contains the public development key" in result.stderr


def test_production_without_hosts_fails(tmp_path):
    variables = _complete_production()
    del variables["DOUDI_ALLOWED_HOSTS"]
    result = _import_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert "DOUDI_ALLOWED_HOSTS is not set" in result.stderr


def test_unknown_environment_fails(tmp_path):
    result = _import_settings(tmp_path, DOUDI_ENV="staging")
    assert result.returncode != 0
    assert "DOUDI_ENV='staging' is invalid" in result.stderr


def test_invalid_boolean_fails(tmp_path):
    result = _import_settings(
        tmp_path, **_complete_production(DOUDI_OTP_REQUIRED="maybe")
    )
    assert result.returncode != 0
    assert "DOUDI_OTP_REQUIRED='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DOUDI_FIELD_KEYS", "k1:!!!"),
        ("DOUDI_FIELD_KEY_CURRENT", "nosuchkey"),
        ("DOUDI_BLIND_INDEX_KEY", "c2hvcnQ="),
    ],
)
def test_malformed_field_keys_stop_start_up(tmp_path, variable, value):
    result = _import_settings(tmp_path, **_complete_production(**{variable: value}))
    assert result.returncode != 0
    assert "is invalid" in result.stderr or "not valid base64" in result.stderr
    assert variable.split("_KEY")[0] in result.stderr


def test_short_secret_key_rejected(tmp_path):
    result = _import_settings(tmp_path, **_complete_production(DOUDI_SECRET_KEY="x"))
    assert result.returncode != 0
    assert "DOUDI_SECRET_KEY has under 32 characters" in result.stderr
