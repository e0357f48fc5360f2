"""WeChat Official Account template messages.

The sender gets an access_token from GET /cgi-bin/token (client_credential
grant), keeps it in the cache until shortly before it expires, and posts
each message to /cgi-bin/message/template/send. An invalid or expired
token (errcode 40001, 40014, 42001) means nothing was sent, so the sender
fetches a new token and tries once more at once.
"""

from __future__ import annotations

import logging
import urllib.parse
from datetime import datetime
from typing import Any

from django.core.cache import cache

from doudi.notifications.conf import setting
from doudi.notifications.providers.base import Envelope, Outcome, SendResult
from doudi.notifications.providers.http import TransientHTTPError, request_json

logger = logging.getLogger(__name__)

TOKEN_CACHE_KEY = "notifications:wechat:access_token"  # noqa: S105
# Refresh this many seconds before the token's stated expiry.
TOKEN_MARGIN_SECONDS = 300
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# -1: system busy; 45009: the account's daily API quota is used up;
# 45047: too many messages to one user in a row.
RETRYABLE_ERRORS = frozenset({-1, 45009, 45047})


class TokenError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class WeChatSender:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def _fetch_token(self) -> str:
        query = urllib.parse.urlencode(
            {
                "grant_type": "client_credential",
                "appid": setting("NOTIFY_WECHAT_APP_ID"),
                "secret": setting("NOTIFY_WECHAT_APP_SECRET"),
            }
        )
        response = request_json(
            f"{self.base_url}/cgi-bin/token?{query}",
            timeout=setting("NOTIFY_TIMEOUT_SECONDS"),
        )
        token = response.get("access_token")
        if not token:
            raise TokenError(f"token_{response.get('errcode', 'missing')}")
        lifetime = int(response.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
        cache.set(TOKEN_CACHE_KEY, token, timeout=max(lifetime, 1))
        return str(token)

    def _token(self) -> str:
        token = cache.get(TOKEN_CACHE_KEY)
        return str(token) if token else self._fetch_token()

    def _post(self, token: str, envelope: Envelope) -> dict[str, Any]:
        rendered = envelope.rendered
        data = {"first": {"value": rendered.subject}}
        data.update({name: {"value": value} for name, value in rendered.params.items()})
        body = {
            "touser": envelope.address,
            "template_id": rendered.template.wechat_template_id,
            "data": data,
        }
        query = urllib.parse.urlencode({"access_token": token})
        return request_json(
            f"{self.base_url}/cgi-bin/message/template/send?{query}",
            timeout=setting("NOTIFY_TIMEOUT_SECONDS"),
            body=body,
        )

    def send(self, envelope: Envelope) -> SendResult:
        try:
            response = self._post(self._token(), envelope)
            if int(response.get("errcode", 0)) in TOKEN_ERRORS:
                logger.info("WeChat token rejected; fetching a new one")
                cache.delete(TOKEN_CACHE_KEY)
                response = self._post(self._fetch_token(), envelope)
        except (TransientHTTPError, TokenError) as error:
            return SendResult(Outcome.RETRY, error.code)
        return _result(response)

    def lookup(self, envelope: Envelope, since: datetime) -> SendResult | None:
        # The template message API has no query by message, so a lost result
        # cannot be checked.
        return None


def _result(response: dict[str, Any]) -> SendResult:
    errcode = int(response.get("errcode", -1))
    code = str(errcode)
    if errcode == 0:
        return SendResult(Outcome.SENT, code, str(response.get("msgid", "")))
    if errcode in RETRYABLE_ERRORS or errcode in TOKEN_ERRORS:
        return SendResult(Outcome.RETRY, code)
    return SendResult(Outcome.FAILED, code)
