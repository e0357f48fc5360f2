"""Reject API requests that give one query parameter more than once.

No endpoint of the API takes a list in its query, and Django would keep the
last of the repeated values and silently drop the others. An API client that
sends `offset=1&offset=2` gets a 422 that names the parameter instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class SingleQueryValuesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            repeated = [
                name for name in request.GET if len(request.GET.getlist(name)) > 1
            ]
            if repeated:
                return JsonResponse(
                    {"detail": [_error(name) for name in repeated]}, status=422
                )
        return self.get_response(request)


def _error(name: str) -> dict[str, object]:
    return {
        "loc": ["query", name],
        "msg": _("The parameter %(name)s is given more than once; give it once.")
        % {"name": name},
        "type": "repeated_parameter",
    }
