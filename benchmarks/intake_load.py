"""Load-test help-request submissions on PostgreSQL with many signed-in residents.

Usage: python benchmarks/intake_load.py [--seconds 60] [--rate 320]
         [--residents 3000] [--workers 4] [--repeat-share 0.02] [--port 8767]
         [--no-route] [--defer-routing] [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_intake]

A child process migrates a fresh PostgreSQL database and creates
`--residents` portal accounts, each with a signed-in session (written
directly, not timed). A Redis server on a free loopback port is the shared
cache, so the per-resident submission limit (PORTAL_REQUESTS_PER_HOUR) and
the sign-in throttles count across all server workers, and the Celery
broker, so routing is queued as in production. No Celery worker runs during
the load: the requests wait for routing, as they would behind a busy worker.

gunicorn then serves the app on 127.0.0.1 with `--workers` sync workers,
and this process sends help requests at `--rate` per second for
`--seconds` (open loop: each request is sent at its scheduled time, whether
or not earlier ones have been answered, and its latency counts from that
time to the end of the response). Residents take turns, so each sends
rate × seconds / residents requests. A share `--repeat-share` of the forms
is sent twice at once with the same idempotency key, as a double click does.

Afterwards a child counts the stored requests against the accepted
submissions (a 302 to the request's status page): `lost` are accepted
forms with no stored request, `duplicated` are forms stored more than
once, and `unacknowledged` are stored requests whose answer never arrived.
Unless `--no-route`, it then routes every waiting request and reports the
time. The database is dropped at the end. The last line printed is one JSON
object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import database_env, run_child, setup_django

SERVER_START_SECONDS = 120
PLAN_FILE = "intake_plan.json"
ACCEPTED_FILE = "intake_accepted.json"
KINDS = (
    "living_costs",
    "illness",
    "disability",
    "housing",
    "schooling",
    "work",
    "care",
    "emergency",
)


def main() -> None:
    args = _arguments()
    if args.child:
        result = {"setup": _setup, "verify": _verify}[args.child](args)
        print(json.dumps(result))
        return
    with (
        tempfile.TemporaryDirectory(prefix="doudi-intake-") as folder,
        _redis(folder) as redis_url,
        database_env("postgres", args.postgres_url, args.postgres_db) as env,
    ):
        result = _run(args, folder, {**env, **_base_env(redis_url)})
    print(json.dumps(result))


def _base_env(redis_url: str) -> dict[str, str]:
    return {
        "DOUDI_DEBUG": "false",
        "DOUDI_LOG_LEVEL": "WARNING",
        "DOUDI_REDIS_URL": redis_url,
        "PYTHONPATH": _python_path(),
    }


def _run(args: argparse.Namespace, folder: str, env: dict[str, str]) -> dict[str, Any]:
    """Set up the residents, send the load, then count what was stored."""
    plan_path = Path(env["DOUDI_DATA_DIR"]) / PLAN_FILE
    run_child(__file__, "setup", _child_options(args, plan_path), env)
    plan = json.loads(plan_path.read_text())
    server_env = {**env, **_server_settings(folder, args.defer_routing)}
    with _Server(server_env, args.port, args.workers) as server:
        load = asyncio.run(_drive(server, plan, args))
    accepted_path = Path(env["DOUDI_DATA_DIR"]) / ACCEPTED_FILE
    accepted_path.write_text(json.dumps(load.pop("accepted_forms")))
    print(f"load: {load}", file=sys.stderr)
    counts = run_child(__file__, "verify", _child_options(args, accepted_path), env)
    return {
        **load,
        **counts,
        "residents": args.residents,
        "workers": args.workers,
        "seconds": args.seconds,
        "rate": args.rate,
        "defer_routing": args.defer_routing,
        "load_average_1min": os.getloadavg()[0],
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=60, help="how long to send, in seconds"
    )
    parser.add_argument(
        "--rate", type=float, default=320, help="help requests sent per second"
    )
    parser.add_argument(
        "--residents", type=int, default=3000, help="signed-in residents"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=0.02,
        help="share of forms sent twice at once",
    )
    parser.add_argument(
        "--port", type=int, default=8767, help="loopback port of the server"
    )
    parser.add_argument(
        "--no-route", action="store_true", help="skip routing the requests afterwards"
    )
    parser.add_argument(
        "--defer-routing",
        action="store_true",
        help="queue no Celery task per request (PORTAL_ROUTE_ON_SUBMIT=False): "
        "the periodic sweep routes them",
    )
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--postgres-db", default="doudi_bench_intake")
    parser.add_argument("--child", choices=("setup", "verify"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seconds <= 0 or args.rate <= 0 or args.residents < 1 or args.workers < 1:
        parser.error("--seconds, --rate, --residents and --workers must be positive")
    return args


def _server_settings(folder: str, defer_routing: bool) -> dict[str, str]:
    """Return the environment of a server that queues routing, or defers it."""
    module = Path(folder) / "intake_bench_settings.py"
    module.write_text(
        "from doudi.settings import *  # noqa: F403\n"
        f"PORTAL_ROUTE_ON_SUBMIT = {not defer_routing}\n"
    )
    return {
        "DJANGO_SETTINGS_MODULE": "intake_bench_settings",
        "PYTHONPATH": os.pathsep.join([folder, _python_path()]),
    }


def _child_options(args: argparse.Namespace, path: Path) -> list[str]:
    options = ["--residents", str(args.residents), "--file", str(path)]
    return [*options, "--no-route"] if args.no_route else options


def _python_path() -> str:
    source = str(Path(__file__).resolve().parent.parent / "src")
    return os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH", "")]))


# --- Redis, the shared cache and broker -----------------------------------


class _redis:
    def __init__(self, folder: str) -> None:
        self.port = _free_port()
        self.folder = folder

    def __enter__(self) -> str:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit(
                "redis-server is missing: install Debian's redis-server package"
            )
        command = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self.folder,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _listening(self.port):
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start within 10 s")
            time.sleep(0.1)
        return f"redis://127.0.0.1:{self.port}/0"

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- the children: setup and verification ---------------------------------


def _setup(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from doudi.portal.accounts import ACCOUNT_KEY
    from doudi.portal.models import PortalAccount
    from doudi.portal.signin import phone_index

    call_command("migrate", verbosity=0)
    phones = [f"+86139{n:08d}" for n in range(args.residents)]
    accounts = PortalAccount.objects.bulk_create(
        PortalAccount(phone=phone, phone_index=phone_index(phone)) for phone in phones
    )
    residents = []
    for account in accounts:
        session = SessionStore()
        session[ACCOUNT_KEY] = account.pk
        session.create()
        residents.append({"account": account.pk, "session": session.session_key})
    Path(args.file).write_text(json.dumps(residents))
    return {}


def _verify(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.db.models import Count

    from doudi.portal.choices import RequestStatus
    from doudi.portal.models import HelpRequest
    from doudi.portal.tasks import sweep_now

    accepted = {tuple(pair) for pair in json.loads(Path(args.file).read_text())}
    sent = HelpRequest.objects.exclude(status=RequestStatus.DRAFT)
    rows = sent.values("account_id", "idempotency_key").annotate(n=Count("id"))
    stored = {
        (row["account_id"], str(row["idempotency_key"])): row["n"] for row in rows
    }
    counts = {
        "stored": sum(stored.values()),
        "lost": len(accepted - stored.keys()),
        "duplicated": sum(n - 1 for n in stored.values() if n > 1),
        "unacknowledged": len(stored.keys() - accepted),
    }
    if not args.no_route:
        started = time.perf_counter()
        routed = sweep_now()
        counts["routed"] = routed
        counts["routing_per_s"] = round(routed / (time.perf_counter() - started), 1)
    return counts


# --- the server and the load ----------------------------------------------


class _Server:
    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "doudi.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--backlog=4096",
            "--timeout=120",
            "--log-level=warning",
        ]
        self.env, self.port = env, port

    def __enter__(self) -> _Server:
        if _listening(self.port):
            raise SystemExit(f"port {self.port} is in use: choose another with --port")
        self.process = subprocess.Popen(self.command, env=self.env)
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            try:
                # The URL is always http://127.0.0.1, built above.
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/portal/", timeout=30
                )
                return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise SystemExit(f"gunicorn did not respond within {SERVER_START_SECONDS} s")

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def _request(
    port: int, resident: dict[str, Any], key: str, rng: random.Random
) -> bytes:
    csrf = secrets.token_hex(16)
    body = urlencode(
        {
            "who": rng.choice(["me", "family", "other"]),
            "kind": rng.choice(KINDS),
            "urgency": rng.choice(["today", "this_week", "not_urgent"]),
            "contact_method": "this_phone",
            "details": "Synthetic benchmark request: the family needs help with costs.",
        }
    ).encode()
    head = (
        f"POST /portal/help/{key}/send/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Cookie: sessionid={resident['session']}; csrftoken={csrf}\r\n"
        f"X-CSRFToken: {csrf}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def _send(port: int, payload: bytes) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    response = await reader.read()
    writer.close()
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    location = next(
        (
            line.split(":", 1)[1].strip()
            for line in head[1:]
            if line.lower().startswith("location:")
        ),
        "",
    )
    return status, location


async def _drive(
    server: _Server, plan: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    rng = random.Random(7)
    total = int(args.seconds * args.rate)
    forms = []
    for index in range(total):
        resident = plan[index % len(plan)]
        key = str(uuid.uuid4())
        copies = 2 if rng.random() < args.repeat_share else 1
        forms.append(
            (
                resident["account"],
                key,
                _request(server.port, resident, key, rng),
                copies,
            )
        )
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    accepted: set[tuple[int, str]] = set()

    async def one(due: float, account: int, key: str, payload: bytes) -> None:
        try:
            status, location = await _send(server.port, payload)
        except OSError as error:
            statuses[type(error).__name__] = statuses.get(type(error).__name__, 0) + 1
            return
        latencies.append(time.monotonic() - due)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status == 302 and location.startswith("/portal/requests/"):
            accepted.add((account, key))

    started = time.monotonic()
    tasks = []
    for index, (account, key, payload, copies) in enumerate(forms):
        due = started + index / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        for _ in range(copies):
            tasks.append(asyncio.create_task(one(due, account, key, payload)))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    return _summary(latencies, statuses, accepted, total, len(tasks), elapsed)


def _summary(
    latencies: list[float],
    statuses: dict[str, int],
    accepted: set[tuple[int, str]],
    forms: int,
    sent: int,
    elapsed: float,
) -> dict[str, Any]:
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        return (
            round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)
            if ordered
            else 0.0
        )

    return {
        "forms": forms,
        "http_requests": sent,
        "statuses": statuses,
        "requests_per_s": round(statuses.get("302", 0) / elapsed, 1),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else 0.0,
        "accepted": len(accepted),
        "accepted_forms": sorted(accepted),
    }


if __name__ == "__main__":
    main()
