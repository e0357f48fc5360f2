"""Query a department's API about authorised households and store the response.

The protocol is in docs/feeds/query-protocol.md. The client sends one
request per call with a request_id that stays the same across retries, so
the department can respond to a retried request from its own record of it.
Only 429, 5xx, timeouts and broken connections are retried; any other 4xx
is final. Nothing is sent for a household that a valid authorisation does
not cover, when the kind needs one. Logs carry the request_id, the source
and counts, never a name or an ID.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.exchange.kinds import needs_authorisation
from doudi.exchange.models import Batch, Channel, DataSource
from doudi.exchange.pipeline import ingest_records, require_operator
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Household, Person
from doudi.verification.authorisations import (
    authorised_person_ids,
    covering,
    member_ids,
)

logger = logging.getLogger(__name__)

QUERIES_PATH = "/v1/queries"
# One request names at most this many persons. The caller splits larger
# batches, so one slow department response never blocks a whole district.
MAX_PERSONS = 1000
TRANSIENT = (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError)


class QueryError(Exception):
    """A query that did not produce a stored response. The message states why."""


class QueryRefused(QueryError):
    """A query rejected before anything was sent (authorisation, source or input)."""


class QueryRejected(QueryError):
    """A final 4xx error response from the department."""

    def __init__(self, message: str, *, status: int, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class QueryFailed(QueryError):
    """No usable response: retries ran out, or the response broke the protocol."""


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts and retry limits of one query, in seconds and counts."""

    timeout_seconds: float = 10.0
    max_attempts: int = 4
    # The wait before retry n is backoff_seconds * 2**(n - 1), unless the
    # department sent Retry-After. Either wait is capped at max_wait_seconds.
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 30.0
    max_polls: int = 30


@dataclass(frozen=True)
class QueryResult:
    request_id: str
    # None when the department had no records for these persons.
    batch: Batch | None
    persons: int
    records: int
    dropped: int
    attempts: int


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: Message
    body: bytes


class QueryClient:
    """Query one source about one kind of records."""

    def __init__(
        self,
        source: DataSource,
        kind: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.kind = kind
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.attempts = 0

    def query(
        self,
        household_ids: Sequence[int],
        *,
        as_of: date | None = None,
        request_id: str | None = None,
        actor: User | None = None,
    ) -> QueryResult:
        """Send one request about the households' members and store the response.

        Raises QueryRefused before sending when the source cannot be queried
        or a member is not covered, and QueryRejected or QueryFailed when no
        usable response came back.
        """
        if actor is not None:
            require_operator(actor)
        day = as_of or timezone.localdate()
        self._check_source()
        persons = self._persons(household_ids, day)
        request_id = request_id or uuid.uuid4().hex
        self._audit(request_id, household_ids, len(persons), day, actor)
        body = {
            "request_id": request_id,
            "kind": self.kind,
            "as_of": day.isoformat(),
            "persons": [
                {"resident_id": str(person.resident_id), "name": str(person.name)}
                for person in persons
            ],
        }
        records = self._exchange(request_id, body)
        kept = _records_about(records, {str(person.resident_id) for person in persons})
        batch = self._store(kept, actor)
        result = QueryResult(
            request_id=request_id,
            batch=batch,
            persons=len(persons),
            records=len(kept),
            dropped=len(records) - len(kept),
            attempts=self.attempts,
        )
        self._log(result)
        return result

    def _error(self, text: str) -> str:
        return _("Query to %(source)s for %(kind)s records: %(text)s") % {
            "source": self.source.code,
            "kind": self.kind,
            "text": text,
        }

    def _check_source(self) -> None:
        source = self.source
        problem = None
        if not source.active:
            problem = _("the source is inactive.")
        elif self.kind not in source.kinds:
            problem = _("the source is not registered for this kind.")
        elif urlsplit(source.query_url).scheme not in ("http", "https"):
            problem = _("the source has no http or https query address.")
        elif not source.query_secret:
            problem = _("the source has no query secret.")
        if problem:
            raise QueryRefused(self._error(problem))

    def _persons(self, household_ids: Sequence[int], day: date) -> list[Person]:
        if not household_ids:
            raise QueryRefused(self._error(_("name at least one household.")))
        found = set(
            Household.objects.filter(pk__in=household_ids).values_list("pk", flat=True)
        )
        wanted: list[int] = []
        for household_id in dict.fromkeys(household_ids):
            if household_id not in found:
                raise QueryRefused(
                    self._error(
                        _("household %(id)s does not exist.") % {"id": household_id}
                    )
                )
            wanted += self._covered_members(household_id, day)
        if len(wanted) > MAX_PERSONS:
            raise QueryRefused(
                self._error(
                    _(
                        "%(count)d persons are more than %(limit)d; split the "
                        "households."
                    )
                    % {"count": len(wanted), "limit": MAX_PERSONS}
                )
            )
        people = Person.objects.in_bulk(wanted)
        return [people[pk] for pk in wanted]

    def _covered_members(self, household_id: int, day: date) -> list[int]:
        members = member_ids(household_id, day)
        values = {"id": household_id, "day": day.isoformat()}
        if not members:
            raise QueryRefused(
                self._error(_("household %(id)s has no members on %(day)s.") % values)
            )
        if not needs_authorisation(self.kind):
            return members
        if not covering(household_id, [self.kind], day):
            raise QueryRefused(
                self._error(
                    _(
                        "household %(id)s has no authorisation valid on %(day)s that "
                        "covers this kind, so nothing was sent."
                    )
                    % values
                )
            )
        allowed = authorised_person_ids(self.kind, day)
        uncovered = [member for member in members if member not in allowed]
        if uncovered:
            raise QueryRefused(
                self._error(
                    _(
                        "%(count)d members of household %(id)s are not covered by a "
                        "valid authorisation, so nothing was sent."
                    )
                    % {**values, "count": len(uncovered)}
                )
            )
        return members

    def _audit(
        self,
        request_id: str,
        household_ids: Sequence[int],
        persons: int,
        day: date,
        actor: User | None,
    ) -> None:
        purpose = (
            Purpose.VERIFICATION
            if needs_authorisation(self.kind)
            else Purpose.MONITORING
        )
        audit.record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="exchange.query",
            object_id=request_id,
            purpose=purpose,
            record_count=persons,
            detail={
                "source": self.source.code,
                "kind": self.kind,
                "households": list(dict.fromkeys(household_ids)),
                "as_of": day.isoformat(),
            },
        )

    def _exchange(self, request_id: str, body: Mapping[str, Any]) -> list[Any]:
        data = json.dumps(body, ensure_ascii=False).encode()
        url = self.source.query_url.rstrip("/") + QUERIES_PATH
        while True:
            reply = self._attempt(request_id, "POST", url, data)
            if reply is None:
                continue
            if reply.status == 200:
                return self._records(request_id, reply)
            if reply.status == 202:
                return self._poll(request_id, url, reply)
            if _retryable(reply.status):
                self._wait_or_fail(
                    request_id, reply, _("HTTP %(status)d") % {"status": reply.status}
                )
                continue
            raise self._rejected(reply)

    def _attempt(
        self, request_id: str, method: str, url: str, data: bytes | None
    ) -> _Reply | None:
        """Send once, and return None after a transient failure that was waited out."""
        self.attempts += 1
        try:
            return self._send(method, url, data, request_id)
        except TRANSIENT as error:
            timed_out = isinstance(error, TimeoutError) or "timed out" in str(error)
            reason = _("timed out") if timed_out else _("connection failed")
            self._wait_or_fail(request_id, None, reason)
            return None

    def _send(
        self, method: str, url: str, data: bytes | None, request_id: str
    ) -> _Reply:
        headers = {
            "Authorization": f"Bearer {self.source.query_secret}",
            "Accept": "application/json",
            "X-Request-ID": request_id,
        }
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        timeout = self.policy.timeout_seconds
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return _Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return _Reply(error.code, error.headers, error.read())

    def _wait_or_fail(self, request_id: str, reply: _Reply | None, reason: str) -> None:
        policy = self.policy
        if self.attempts >= policy.max_attempts:
            said = f" {_said(reply)}" if reply is not None else ""
            raise QueryFailed(
                self._error(
                    _("no answer after %(count)d attempts; the last one: %(reason)s.")
                    % {"count": self.attempts, "reason": reason}
                )
                + said
            )
        wait = _retry_after(reply) if reply is not None else None
        if wait is None:
            wait = policy.backoff_seconds * 2 ** (self.attempts - 1)
        wait = min(wait, policy.max_wait_seconds)
        logger.warning(
            "exchange query %s to source %s: attempt %d %s; retrying in %.1f s",
            request_id,
            self.source.code,
            self.attempts,
            reply.status if reply is not None else "failed",
            wait,
        )
        self.sleep(wait)

    def _poll(self, request_id: str, url: str, accepted: _Reply) -> list[Any]:
        poll_url = f"{url}/{request_id}"
        reply: _Reply | None = accepted
        for _poll_number in range(self.policy.max_polls):
            wait = _retry_after(reply) if reply is not None else None
            self.sleep(
                min(
                    wait if wait is not None else self.policy.backoff_seconds,
                    self.policy.max_wait_seconds,
                )
            )
            reply = self._poll_once(request_id, poll_url)
            if reply is None or reply.status == 202:
                continue
            if reply.status == 200:
                return self._records(request_id, reply)
            raise self._rejected(reply)
        raise QueryFailed(
            self._error(
                _("the answer was still pending after %(count)d polls.")
                % {"count": self.policy.max_polls}
            )
        )

    def _poll_once(self, request_id: str, url: str) -> _Reply | None:
        try:
            reply = self._send("GET", url, None, request_id)
        except TRANSIENT:
            logger.warning(
                "exchange query %s to source %s: a poll failed; polling again",
                request_id,
                self.source.code,
            )
            return None
        if _retryable(reply.status):
            return None
        return reply

    def _records(self, request_id: str, reply: _Reply) -> list[Any]:
        try:
            body = json.loads(reply.body)
        except (ValueError, UnicodeDecodeError):
            raise QueryFailed(self._error(_("the answer is not valid JSON."))) from None
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise QueryFailed(self._error(_("the answer has no list of records.")))
        if body.get("request_id") != request_id:
            raise QueryFailed(
                self._error(
                    _("the answer is for request %(other)s, not %(ours)s.")
                    % {"other": str(body.get("request_id"))[:64], "ours": request_id}
                )
            )
        records: list[Any] = body["records"]
        if not all(isinstance(record, dict) for record in records):
            raise QueryFailed(
                self._error(_("a record in the answer is not an object."))
            )
        return records

    def _rejected(self, reply: _Reply) -> QueryRejected:
        code = _error_code(reply)
        text = _("the department rejected the request with HTTP %(status)d.") % {
            "status": reply.status
        }
        logger.warning(
            "exchange query to source %s rejected: HTTP %d %s",
            self.source.code,
            reply.status,
            code,
        )
        return QueryRejected(
            self._error(text) + " " + _said(reply), status=reply.status, code=code
        )

    def _store(self, records: list[dict[str, Any]], actor: User | None) -> Batch | None:
        if not records:
            return None
        return ingest_records(
            records,
            source=self.source,
            kind=self.kind,
            channel=Channel.QUERY,
            received_by=actor,
        )

    def _log(self, result: QueryResult) -> None:
        logger.info(
            "exchange query %s to source %s (%s): %d persons, %d records, %d dropped, "
            "batch %s, %d attempts",
            result.request_id,
            self.source.code,
            self.kind,
            result.persons,
            result.records,
            result.dropped,
            result.batch.pk if result.batch else None,
            result.attempts,
        )


def query_department(
    source: DataSource,
    kind: str,
    household_ids: Sequence[int],
    *,
    as_of: date | None = None,
    request_id: str | None = None,
    actor: User | None = None,
    policy: RetryPolicy | None = None,
) -> QueryResult:
    """Query `source` about the households' members for `kind`; see QueryClient."""
    client = QueryClient(source, kind, policy=policy)
    return client.query(household_ids, as_of=as_of, request_id=request_id, actor=actor)


def _records_about(records: list[Any], resident_ids: set[str]) -> list[dict[str, Any]]:
    """Keep the records about persons the request named; the rest are dropped."""
    wanted = {value.strip().upper() for value in resident_ids}
    return [
        record
        for record in records
        if str(record.get("resident_id") or "").strip().upper() in wanted
    ]


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(reply: _Reply | None) -> float | None:
    """Return Retry-After in seconds (a number or an HTTP date), or None."""
    if reply is None:
        return None
    value = (reply.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _error_code(reply: _Reply) -> str:
    error = _error_body(reply)
    return str(error.get("code") or "")[:64]


def _error_body(reply: _Reply) -> dict[str, Any]:
    try:
        body = json.loads(reply.body)
    except (ValueError, UnicodeDecodeError):
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _said(reply: _Reply) -> str:
    """Return the department's error message, for the operator."""
    error = _error_body(reply)
    if not error:
        return _("The department sent no error code or message.")
    return _("The department said: %(code)s: %(message)s") % {
        "code": str(error.get("code") or "-")[:64],
        "message": str(error.get("message") or "-")[:500],
    }
