"""Load-test the work queue and the case page on PostgreSQL with concurrent users.

Usage: python benchmarks/cases_load.py [--households 1000000] [--cases 50000]
         [--users 20] [--requests 50] [--think-seconds 0] [--workers 4]
         [--port 8766] [--no-assess]
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_cases]

A child process migrates a fresh PostgreSQL database, loads a synthetic
city and assesses it, so that the case page shows the engine's explanation
as in production. It then creates `--users` staff accounts (district
approvers and street reviewers of the busiest districts and streets) and
inserts `--cases` open cases in bulk, with their timeline events. None of
that is timed.

Then gunicorn serves the app on 127.0.0.1 with `--workers` sync workers.
Each of `--users` threads signs in and makes `--requests` requests,
alternating a page of its work queue and the page of a case in its region.
It pauses `--think-seconds` between requests (none by default, so every
user keeps a request waiting at all times). Each request's latency is
measured from sending it to reading the whole response.
The first two requests of each user warm the workers and are not counted.
The database is dropped at the end. The last line printed is one JSON
object with `queue_p95_ms` and `case_p95_ms`.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from common import (
    add_postgres_options,
    database_env,
    migrate_and_load_city,
    run_child,
    setup_django,
)

AS_OF = date(2026, 11, 30)
SEED = 7
PASSWORD = "Bench-pass-2026"  # noqa: S105  synthetic benchmark accounts only
PLAN_FILE = "cases_load_plan.json"
SAMPLE_CASES_PER_USER = 300
WARM_UP_REQUESTS = 2
SERVER_START_SECONDS = 120
REQUEST_TIMEOUT_SECONDS = 60
OPEN_STEPS = (
    "accept",
    "survey",
    "verification",
    "street_review",
    "public_notice",
    "district_approval",
)


def main() -> None:
    args = _arguments()
    if args.child == "load":
        print(json.dumps(_load(args)))
        return
    with database_env("postgres", args.postgres_url, args.postgres_db) as env:
        env = {
            **env,
            "DOUDI_DEBUG": "false",
            "DOUDI_OTP_REQUIRED": "false",
            "DOUDI_LOG_LEVEL": "WARNING",
            # The benchmark's users sign in once each, from one address.
            "DOUDI_LOGIN_FAILURE_LIMIT": "1000",
        }
        options = [
            f"--households={args.households}",
            f"--cases={args.cases}",
            f"--users={args.users}",
        ]
        if args.no_assess:
            options.append("--no-assess")
        loaded = run_child(__file__, "load", options, env)
        print(f"loaded: {loaded}", file=sys.stderr)
        plan = json.loads((Path(env["DOUDI_DATA_DIR"]) / PLAN_FILE).read_text())
        with _Server(env, args.port, args.workers):
            timings = _drive(
                f"http://127.0.0.1:{args.port}", plan, args.requests, args.think_seconds
            )
    settings = {"workers": args.workers, "think_seconds": args.think_seconds}
    print(json.dumps({**loaded, **_summary(timings), **settings}))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    parser.add_argument(
        "--requests", type=int, default=50, help="requests per user, after warm-up"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766, help="port on 127.0.0.1")
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=0.0,
        help="pause of each user between requests, in seconds (0: none, the "
        "hardest case)",
    )
    parser.add_argument(
        "--no-assess",
        action="store_true",
        help="skip the assessment, so case pages have no engine explanation",
    )
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    add_postgres_options(parser, "doudi_bench_cases")
    args = parser.parse_args()
    if args.cases > args.households:
        parser.error("--cases must not exceed --households: one case per household")
    return args


# --- the child that fills the database ------------------------------------


def _load(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.conf import settings

    migrate_and_load_city(args.households, SEED, AS_OF)
    if not args.no_assess:
        from doudi.assessments.stages import assess_month

        assess_month(AS_OF.replace(day=1))
    users = _users(args.users)
    case_ids = _cases(args.cases)
    plan = _plan(users, case_ids)
    (Path(settings.DATA_DIR) / PLAN_FILE).write_text(json.dumps(plan))
    return {"households": args.households, "cases": len(case_ids), "users": len(users)}


def _users(count: int) -> list[tuple[str, str]]:
    """Create the staff accounts; return (username, region path) of each."""
    from collections import Counter

    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from doudi.privacy.choices import Role
    from doudi.privacy.models import User
    from doudi.registry.models import Household, Region

    # A path is "city/district/street/community/": count households under
    # each district (2 codes) and street (3 codes).
    under: Counter[str] = Counter()
    for row in Household.objects.values("region__path").annotate(n=Count("pk")):
        codes = row["region__path"].split("/")
        for depth in (2, 3):
            under["/".join(codes[:depth]) + "/"] += row["n"]
    ranked = [path for path, _ in under.most_common()]
    district_paths = [p for p in ranked if p.count("/") == 2][: (count + 1) // 2]
    street_paths = [p for p in ranked if p.count("/") == 3][
        : count - len(district_paths)
    ]
    paths = [*district_paths, *street_paths]
    regions = {r.path: r for r in Region.objects.filter(path__in=paths)}
    districts = [regions[path] for path in district_paths]
    streets = [regions[path] for path in street_paths]
    password = make_password(PASSWORD)
    users = []
    for index, region in enumerate([*districts, *streets]):
        role = (
            Role.DISTRICT_APPROVER
            if region.level == "district"
            else Role.STREET_REVIEWER
        )
        user = User.objects.create(
            username=f"bench{index:02d}",
            password=password,
            role=role,
            region=region,
            is_staff=True,
        )
        users.append((user.username, region.path))
    return users


def _cases(count: int) -> list[tuple[int, str]]:
    """Insert open cases for random households; return (id, region path) of each."""
    from django.utils import timezone

    from doudi.cases.models import Case, CaseAction, CaseEvent
    from doudi.registry.bulk_indexes import refresh_statistics
    from doudi.registry.models import Household

    rng = np.random.default_rng(SEED)
    ids = list(Household.objects.values_list("pk", flat=True).order_by("pk"))
    chosen = sorted(rng.choice(ids, size=count, replace=False).tolist())
    today = timezone.localdate()
    created: list[tuple[int, str]] = []
    for start in range(0, len(chosen), 5000):
        batch = chosen[start : start + 5000]
        regions = dict(
            Household.objects.filter(pk__in=batch).values_list("pk", "region_id")
        )
        paths = dict(
            Household.objects.filter(pk__in=batch).values_list("pk", "region__path")
        )
        cases = [_case(pk, regions[pk], paths[pk], rng, today) for pk in batch]
        Case.objects.bulk_create(cases, batch_size=1000)
        now = timezone.now()
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=case,
                    actor_label="system",
                    step=step,
                    action=action,
                    at=now,
                )
                for case in cases
                for step, action in (
                    ("accept", CaseAction.OPEN),
                    ("survey", CaseAction.ACCEPT),
                )
            ],
            batch_size=2000,
        )
        created.extend((case.pk, case.region_path) for case in cases)
    # As a district's own load would, give the planner the new tables' figures.
    refresh_statistics([Case._meta.db_table, CaseEvent._meta.db_table])
    return created


def _case(
    household_id: int, region_id: int, path: str, rng: np.random.Generator, today: date
) -> Any:
    from django.utils import timezone

    from doudi.cases.models import Case

    started = today - timedelta(days=int(rng.integers(0, 20)))
    due = today + timedelta(days=int(rng.integers(-5, 25)))
    return Case(
        household_id=household_id,
        scheme="dibao",
        channel="walk_in",
        step=OPEN_STEPS[int(rng.integers(0, len(OPEN_STEPS)))],
        opened_at=timezone.now() - timedelta(days=30),
        region_id=region_id,
        region_path=path,
        declaration='{"assets": [], "incomes": [], "situation": "synthetic"}',
        accepted_on=started,
        step_started_on=started,
        step_due=due,
        case_due=due + timedelta(days=10),
        next_due=due,
    )


def _plan(
    users: list[tuple[str, str]], cases: list[tuple[int, str]]
) -> list[dict[str, Any]]:
    """Give each user a sample of the case ids in their region."""
    rng = random.Random(SEED)
    plan = []
    for username, path in users:
        mine = [pk for pk, case_path in cases if case_path.startswith(path)]
        sample = rng.sample(mine, min(len(mine), SAMPLE_CASES_PER_USER))
        plan.append({"username": username, "cases": sample})
    return plan


# --- the server and the simulated users -----------------------------------


class _Server:
    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "doudi.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=120",
        ]
        self.command, self.env, self.port = command, env, port
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> _Server:
        if _listening(self.port):
            raise SystemExit(f"port {self.port} is in use: choose another with --port")
        self.process = subprocess.Popen(self.command, env=self.env)
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            try:
                # The URL is always http://127.0.0.1, built above.
                url = self.base + "/account/sign-in/"
                urllib.request.urlopen(url, timeout=30)  # noqa: S310
                return
            except OSError:
                # Refused while gunicorn binds, or slow while workers boot.
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not respond within {SERVER_START_SECONDS} s")

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _drive(
    base: str, plan: list[dict[str, Any]], requests: int, think: float
) -> dict[str, list[float]]:
    """Run every user on its own thread; return latencies (ms) by page."""
    timings: dict[str, list[float]] = {"queue": [], "case": []}
    lock = threading.Lock()
    barrier = threading.Barrier(len(plan))
    errors: list[str] = []

    def run(user: dict[str, Any], index: int) -> None:
        try:
            opener = _signed_in(base, user["username"])
            barrier.wait()
            mine = _user_requests(base, opener, user["cases"], requests, index, think)
            with lock:
                for kind, values in mine.items():
                    timings[kind].extend(values)
        except Exception as error:  # reported after the run
            with lock:
                errors.append(f"{user['username']}: {error}")
            barrier.abort()

    threads = [
        threading.Thread(target=run, args=(user, index))
        for index, user in enumerate(plan)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit("load run failed: " + "; ".join(errors[:5]))
    return timings


def _signed_in(base: str, username: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/account/sign-in/", timeout=REQUEST_TIMEOUT_SECONDS).read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": PASSWORD,
            "otp_token": "",
        }
    ).encode()
    response = opener.open(
        base + "/account/sign-in/", data=form, timeout=REQUEST_TIMEOUT_SECONDS
    )
    response.read()
    if "/account/sign-in/" in response.geturl():
        raise RuntimeError(f"sign-in of {username} failed")
    return opener


def _user_requests(
    base: str,
    opener: urllib.request.OpenerDirector,
    cases: list[int],
    requests: int,
    seed: int,
    think: float,
) -> dict[str, list[float]]:
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {"queue": [], "case": []}
    for number in range(requests + WARM_UP_REQUESTS):
        if number % 2 == 0 or not cases:
            kind = "queue"
            query = {"step": rng.choice(["mine", "all"]), "page": rng.randint(1, 3)}
            path = "/cases/?" + urllib.parse.urlencode(query)
        else:
            kind = "case"
            path = f"/cases/{rng.choice(cases)}/"
        started = time.perf_counter()
        with opener.open(base + path, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            response.read()
        elapsed_ms = (time.perf_counter() - started) * 1000
        if number >= WARM_UP_REQUESTS:
            timings[kind].append(elapsed_ms)
        time.sleep(think)
    return timings


def _summary(timings: dict[str, list[float]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for kind, values in timings.items():
        array = np.array(values)
        result[f"{kind}_requests"] = len(values)
        result[f"{kind}_p50_ms"] = round(float(np.percentile(array, 50)), 1)
        result[f"{kind}_p95_ms"] = round(float(np.percentile(array, 95)), 1)
    return result


if __name__ == "__main__":
    os.environ.setdefault("DOUDI_LOG_LEVEL", "WARNING")
    main()
