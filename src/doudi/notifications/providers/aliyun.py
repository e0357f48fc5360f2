"""Alibaba Cloud SMS (dysmsapi, API version 2017-05-25) over its RPC HTTP API.

Requests are GETs signed with signature version 1.0 (HMAC-SHA1): the
parameters sorted by name and percent-encoded per RFC 3986 form the string
"GET&%2F&" + encode(query), signed with the AccessKey secret plus "&".
Each send carries the delivery's idempotency key as `OutId`, which
QuerySendDetails returns, so a send whose result was lost can be found.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.parse
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from doudi.notifications.conf import setting
from doudi.notifications.providers.base import Envelope, Outcome, SendResult
from doudi.notifications.providers.http import TransientHTTPError, request_json

logger = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
REGION_ID = "cn-hangzhou"
# The provider dates sends in China Standard Time.
PROVIDER_ZONE = ZoneInfo("Asia/Shanghai")
QUERY_PAGE_SIZE = 50

# Codes after which the same request may succeed later: per-number flow
# control (minute, hour and day limits), API throttling and server errors.
RETRYABLE_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "isp.SYSTEM_ERROR",
        "ServiceUnavailable",
        "InternalError",
    }
)
# SendStatus of QuerySendDetails: 1 waiting for the receipt, 2 failed,
# 3 delivered.
RECEIPT_STATUS = {1: Outcome.PENDING, 2: Outcome.FAILED, 3: Outcome.DELIVERED}


def percent_encode(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def string_to_sign(params: dict[str, str], method: str = "GET") -> str:
    query = "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}"
        for name in sorted(params)
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(query)}"


def signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def _common_params(action: str, now: datetime) -> dict[str, str]:
    return {
        "AccessKeyId": setting("NOTIFY_ALIYUN_ACCESS_KEY_ID"),
        "Action": action,
        "Format": "JSON",
        "RegionId": REGION_ID,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
    }


def national_number(phone: str) -> str:
    """Drop the +86 country code: the API takes mainland numbers without it."""
    return phone.removeprefix("+86")


class AliyunSmsSender:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(self, action: str, params: dict[str, str]) -> dict[str, Any]:
        signed = {**_common_params(action, datetime.now(UTC)), **params}
        signed["Signature"] = signature(
            signed, setting("NOTIFY_ALIYUN_ACCESS_KEY_SECRET")
        )
        query = urllib.parse.urlencode(signed, quote_via=urllib.parse.quote)
        url = f"{self.base_url}?{query}"
        return request_json(url, timeout=setting("NOTIFY_TIMEOUT_SECONDS"))

    def send_template(
        self, phone: str, template_code: str, params: dict[str, str], out_id: str
    ) -> SendResult:
        """Send one SMS; the caller's `out_id` comes back from QuerySendDetails."""
        request = {
            "PhoneNumbers": national_number(phone),
            "SignName": setting("NOTIFY_ALIYUN_SIGN_NAME"),
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "OutId": out_id,
        }
        try:
            response = self._call("SendSms", request)
        except TransientHTTPError as error:
            return SendResult(Outcome.RETRY, error.code)
        code = str(response.get("Code", ""))
        if code == "OK":
            return SendResult(Outcome.SENT, code, str(response.get("BizId", "")))
        if code in RETRYABLE_CODES:
            return SendResult(Outcome.RETRY, code)
        return SendResult(Outcome.FAILED, code or "missing_code")

    def send(self, envelope: Envelope) -> SendResult:
        rendered = envelope.rendered
        return self.send_template(
            envelope.address, rendered.sms_template_code, rendered.params, envelope.key
        )

    def lookup(self, envelope: Envelope, since: datetime) -> SendResult | None:
        """Find the send with OutId `envelope.key` among the number's sends.

        Looks through the day the send began and the next, in China time.
        """
        day = since.astimezone(PROVIDER_ZONE).date()
        for send_date in (day, day.fromordinal(day.toordinal() + 1)):
            found = self._find(envelope, send_date.strftime("%Y%m%d"))
            if found is None or found.outcome != Outcome.NOT_FOUND:
                return found
        return SendResult(Outcome.NOT_FOUND, "")

    def _find(self, envelope: Envelope, send_date: str) -> SendResult | None:
        query = {
            "PhoneNumber": national_number(envelope.address),
            "SendDate": send_date,
            "PageSize": str(QUERY_PAGE_SIZE),
            "CurrentPage": "1",
        }
        try:
            response = self._call("QuerySendDetails", query)
        except TransientHTTPError:
            return None
        if response.get("Code") != "OK":
            logger.warning("QuerySendDetails failed with %s", response.get("Code"))
            return None
        details = response.get("SmsSendDetailDTOs", {}).get("SmsSendDetailDTO", [])
        for detail in details:
            if detail.get("OutId") == envelope.key:
                return _receipt(detail)
        if len(details) >= QUERY_PAGE_SIZE:
            # Only the first page is read, so a full page cannot prove absence.
            return None
        return SendResult(Outcome.NOT_FOUND, "")


def _receipt(detail: dict[str, Any]) -> SendResult:
    outcome = RECEIPT_STATUS.get(int(detail.get("SendStatus", 1)), Outcome.PENDING)
    code = str(detail.get("ErrCode", "")) or "OK"
    return SendResult(outcome, code)
