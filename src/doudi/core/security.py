"""A content security policy for the whole site: no inline script or style.

Every script and stylesheet is a file served from the site itself, so the
policy allows only 'self'. htmx is configured not to inject its indicator
style (`includeIndicatorStyles: false` in base.html).

Pages with Vega charts are the one exception (`allow_chart_scripts`): Vega
compiles its expressions with `Function` and styles its SVG inline, so those
staff pages also allow 'unsafe-eval' and inline styles. They still run no
inline script; the chart specs are JSON data blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Final, ParamSpec

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER: Final = "Content-Security-Policy"


def _policy(script: str, style: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            f"style-src {style}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


DEFAULT_POLICY: Final = _policy("'self'", "'self'")
CHART_POLICY: Final = _policy("'self' 'unsafe-eval'", "'self' 'unsafe-inline'")

P = ParamSpec("P")


class ContentSecurityPolicyMiddleware:
    """Add the Content-Security-Policy header (setting CONTENT_SECURITY_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = str(getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = self.policy
        return response


def allow_chart_scripts(
    view: Callable[P, HttpResponse],
) -> Callable[P, HttpResponse]:
    """Serve a page with Vega charts under the chart policy."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        response[HEADER] = CHART_POLICY
        return response

    return wrapped
