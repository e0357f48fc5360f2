"""A small JSON-over-HTTP client for the providers (standard library only)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

# Failures after which the request may be sent again: nothing was accepted,
# or the response was lost.
TRANSIENT = (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError)


class TransientHTTPError(Exception):
    """No usable response: a timeout, a broken connection or a 5xx status."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def request_json(
    url: str, *, timeout: float, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """GET `url` (or POST `body` as JSON) and return the JSON object it returns.

    Raises TransientHTTPError on timeouts, connection errors and 5xx statuses.
    A 4xx response is returned when its body is JSON, because the providers
    put their error codes there.
    """
    # urllib would also open file: and other schemes; a provider URL is HTTP.
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise ValueError(
            f"invalid provider URL scheme {scheme!r}: set an http or https URL"
        )
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    method = "GET" if data is None else "POST"
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return _decode(response.read())
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise TransientHTTPError(f"http_{error.code}") from None
        return _decode(error.read())
    except TRANSIENT as error:
        raise TransientHTTPError(type(error).__name__) from None


def _decode(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TransientHTTPError("invalid_json") from None
    if not isinstance(value, dict):
        raise TransientHTTPError("invalid_json")
    return value
