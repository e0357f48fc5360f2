"""A fake department query API that speaks docs/feeds/query-protocol.md.

For tests and local demos only. It binds 127.0.0.1 on an ephemeral port and
responds from an in-memory table keyed by kind and resident ID. It can be
configured to misbehave: slow responses, 500s, 429 with Retry-After,
malformed JSON, a wrong request_id, or 202 with polling. It imports nothing from
Django, so it also runs on its own:

    python -m doudi.exchange.fake_department --secret S --table table.json

where table.json maps kind → resident ID → list of records.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

logger = logging.getLogger(__name__)

Record = dict[str, Any]
Table = Mapping[str, Mapping[str, Sequence[Record]]]
QUERIES_PATH = "/v1/queries"


class Misbehaviour(StrEnum):
    """A fault the server applies to one POST in place of a normal response."""

    # Sleep `slow_seconds` before responding (the response is computed first).
    SLOW = "slow"
    ERROR_500 = "error_500"
    BUSY_429 = "busy_429"
    UNAVAILABLE_503 = "unavailable_503"
    MALFORMED_JSON = "malformed_json"
    WRONG_REQUEST_ID = "wrong_request_id"
    # Respond 202 and make the client poll `pending_polls` times.
    PENDING = "pending"


@dataclass
class Behaviour:
    """The server's script: one misbehaviour per POST, in order, then normal."""

    script: list[Misbehaviour] = field(default_factory=list)
    slow_seconds: float = 1.0
    retry_after_seconds: int = 1
    pending_polls: int = 1


class FakeDepartment:
    """A department query API in a background thread; use as a context manager."""

    def __init__(
        self,
        table: Table,
        *,
        secret: str,
        behaviour: Behaviour | None = None,
        kinds: Sequence[str] | None = None,
    ) -> None:
        self.table = table
        self.secret = secret
        self.behaviour = behaviour or Behaviour()
        self.kinds = set(kinds) if kinds is not None else set(table)
        # Responses are kept per request_id, so a retried request gets the
        # same response and the work is done once.
        self.answers: dict[str, list[Record]] = {}
        self.computed: Counter[str] = Counter()
        self.posts: Counter[str] = Counter()
        self.polls: Counter[str] = Counter()
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeDepartment:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def next_misbehaviour(self) -> Misbehaviour | None:
        with self._lock:
            script = self.behaviour.script
            return script.pop(0) if script else None

    def answer(
        self, request_id: str, kind: str, persons: Sequence[Any]
    ) -> list[Record]:
        """Return the records for a request, computing them once per request_id."""
        with self._lock:
            if request_id not in self.answers:
                self.computed[request_id] += 1
                self.answers[request_id] = self._lookup(kind, persons)
            return self.answers[request_id]

    def _lookup(self, kind: str, persons: Sequence[Any]) -> list[Record]:
        by_id = self.table.get(kind, {})
        records: list[Record] = []
        for person in persons:
            resident_id = (
                person.get("resident_id") if isinstance(person, dict) else None
            )
            records.extend(dict(record) for record in by_id.get(str(resident_id), ()))
        return records


def _handler_for(department: FakeDepartment) -> type[BaseHTTPRequestHandler]:
    class Handler(_QueryHandler):
        fake = department

    return Handler


class _QueryHandler(BaseHTTPRequestHandler):
    fake: FakeDepartment
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        # The default handler writes every request to stderr. Logging at DEBUG
        # keeps test output quiet.
        logger.debug("fake department: %s", format % args)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != QUERIES_PATH:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")
            return
        if not self._authorised():
            return
        query = self._query()
        if query is None:
            return
        request_id, kind, persons = query
        self.fake.posts[request_id] += 1
        records = self.fake.answer(request_id, kind, persons)
        self._respond(self.fake.next_misbehaviour(), request_id, records)

    def do_GET(self) -> None:
        prefix = QUERIES_PATH + "/"
        if not self.path.startswith(prefix):
            self._error(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")
            return
        if not self._authorised():
            return
        request_id = self.path.removeprefix(prefix)
        if request_id not in self.fake.answers:
            self._error(HTTPStatus.NOT_FOUND, "unknown_request", "No such request_id.")
            return
        self.fake.polls[request_id] += 1
        if self.fake.polls[request_id] <= self.fake.behaviour.pending_polls:
            self._pending(request_id)
            return
        self._json(
            HTTPStatus.OK,
            {"request_id": request_id, "records": self.fake.answers[request_id]},
        )

    def _respond(
        self, misbehaviour: Misbehaviour | None, request_id: str, records: list[Record]
    ) -> None:
        behaviour = self.fake.behaviour
        if misbehaviour == Misbehaviour.SLOW:
            time.sleep(behaviour.slow_seconds)
        if misbehaviour == Misbehaviour.ERROR_500:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "Database down.")
        elif misbehaviour in (Misbehaviour.BUSY_429, Misbehaviour.UNAVAILABLE_503):
            status = (
                HTTPStatus.TOO_MANY_REQUESTS
                if misbehaviour == Misbehaviour.BUSY_429
                else HTTPStatus.SERVICE_UNAVAILABLE
            )
            retry = {"Retry-After": str(behaviour.retry_after_seconds)}
            self._error(status, "busy", "Try again later.", retry)
        elif misbehaviour == Misbehaviour.MALFORMED_JSON:
            self._send(HTTPStatus.OK, b'{"request_id": "', {})
        elif misbehaviour == Misbehaviour.WRONG_REQUEST_ID:
            self._json(HTTPStatus.OK, {"request_id": "other", "records": records})
        elif misbehaviour == Misbehaviour.PENDING:
            self._pending(request_id)
        else:
            self._json(HTTPStatus.OK, {"request_id": request_id, "records": records})

    def _pending(self, request_id: str) -> None:
        headers = {
            "Retry-After": str(self.fake.behaviour.retry_after_seconds),
            "Location": f"{QUERIES_PATH}/{request_id}",
        }
        body = {"request_id": request_id, "status": "pending"}
        self._json(HTTPStatus.ACCEPTED, body, headers)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.fake.secret}":
            return True
        self._error(HTTPStatus.UNAUTHORIZED, "unauthorized", "Invalid credentials.")
        return False

    def _query(self) -> tuple[str, str, list[Any]] | None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            self._error(HTTPStatus.BAD_REQUEST, "invalid_json", "Body is not JSON.")
            return None
        self.fake.received.append(body if isinstance(body, dict) else {})
        fields = ("request_id", "kind", "as_of", "persons")
        if not isinstance(body, dict) or any(name not in body for name in fields):
            message = "Body needs request_id, kind, as_of and persons."
            self._error(HTTPStatus.BAD_REQUEST, "invalid_request", message)
            return None
        if body["kind"] not in self.fake.kinds:
            message = f"This department does not answer {body['kind']} queries."
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, "unsupported_kind", message)
            return None
        return str(body["request_id"]), str(body["kind"]), list(body["persons"])

    def _error(
        self,
        status: HTTPStatus,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._json(status, {"error": {"code": code, "message": message}}, headers)

    def _json(
        self, status: HTTPStatus, body: object, headers: Mapping[str, str] | None = None
    ) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self._send(
            status, data, {"Content-Type": "application/json", **(headers or {})}
        )

    def _send(
        self, status: HTTPStatus, data: bytes, headers: Mapping[str, str]
    ) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout) before the slow response came.
            logger.debug("fake department: client closed the connection")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake department query API.")
    parser.add_argument("--secret", required=True, help="the expected bearer secret")
    parser.add_argument(
        "--table", type=Path, required=True, help="JSON: kind → resident ID → records"
    )
    options = parser.parse_args(argv)
    table = json.loads(options.table.read_text(encoding="utf-8"))
    with FakeDepartment(table, secret=options.secret) as department:
        print(f"fake department listening on {department.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
