"""Killing ingestion mid-batch leaves nothing; a re-run stores one whole batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.db import connection

from doudi.exchange.pipeline import PAUSE_ENV
from doudi.exchange.tests.conftest import claim, csv_bytes

ROWS = 3000


def _child_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", PAUSE_ENV)
    }
    env["DOUDI_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "doudi.test_settings"
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _fresh_postgres()
    return env


def _kill_database_name() -> str:
    return f"{connection.settings_dict['NAME']}_kill"


def _admin_execute(*statements: str) -> None:
    import psycopg

    settings = connection.settings_dict
    admin = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        for statement in statements:
            admin.execute(statement)


@pytest.fixture(autouse=True)
def _drop_child_database():
    """The children's PostgreSQL database is not the test database: drop it after."""
    yield
    if connection.vendor == "postgresql":
        _admin_execute(f'DROP DATABASE IF EXISTS "{_kill_database_name()}"')


def _fresh_postgres():
    settings = connection.settings_dict
    name = _kill_database_name()
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{name}"


def _wait_for(process, text, timeout_s):
    deadline = time.monotonic() + timeout_s
    seen = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if text in line:
            return
    pytest.fail(f"child never printed {text!r}; stderr:\n{seen}")


@pytest.mark.django_db
def test_kill_mid_batch_leaves_nothing(tmp_path):
    start = date(2010, 1, 1)
    rows = [
        claim(settled_on=(start + timedelta(days=i)).isoformat(), region_code=None)
        for i in range(ROWS)
    ]
    path = tmp_path / "claims.csv"
    path.write_bytes(csv_bytes(rows))
    env = _child_env(tmp_path)
    command = [sys.executable, "-m", "doudi.exchange.tests.kill_child", str(path)]

    with subprocess.Popen(
        command,
        env={**env, PAUSE_ENV: "120"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as paused:
        try:
            _wait_for(paused, "paused", timeout_s=240)
            os.kill(paused.pid, signal.SIGKILL)
        finally:
            paused.kill()
            paused.wait()
    assert paused.returncode == -signal.SIGKILL

    rerun = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    counts = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert counts == {"batches": 1, "facts": ROWS, "stored": ROWS, "total": ROWS}
