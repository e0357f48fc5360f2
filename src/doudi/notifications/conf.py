"""Notification settings, read from Django settings with embedded defaults.

Every provider is off until its base URL (or SMTP host) is set, so that
development and tests never reach a real host: an unset channel writes to
its outbox file instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Alibaba Cloud SMS (dysmsapi); the public endpoint is
    # https://dysmsapi.aliyuncs.com/ but it is never a default.
    "NOTIFY_ALIYUN_SMS_URL": "",
    "NOTIFY_ALIYUN_ACCESS_KEY_ID": "",
    "NOTIFY_ALIYUN_ACCESS_KEY_SECRET": "",
    "NOTIFY_ALIYUN_SIGN_NAME": "",
    # WeChat Official Account API; the public base is https://api.weixin.qq.com.
    "NOTIFY_WECHAT_API_URL": "",
    "NOTIFY_WECHAT_APP_ID": "",
    "NOTIFY_WECHAT_APP_SECRET": "",
    "NOTIFY_SMTP_HOST": "",
    "NOTIFY_SMTP_PORT": 25,
    "NOTIFY_SMTP_USER": "",
    "NOTIFY_SMTP_PASSWORD": "",
    "NOTIFY_SMTP_STARTTLS": False,
    "NOTIFY_EMAIL_FROM": "doudi@localhost",
    # Seconds an HTTP or SMTP call may take.
    "NOTIFY_TIMEOUT_SECONDS": 10,
    # Attempts per delivery, and the first wait between them in seconds
    # (doubled after each retryable failure, up to the maximum wait).
    "NOTIFY_MAX_ATTEMPTS": 6,
    "NOTIFY_RETRY_BASE_SECONDS": 60,
    "NOTIFY_RETRY_MAX_SECONDS": 3600,
    # A delivery left SENDING this long is taken to have lost its worker and
    # is reconciled with the provider. It must exceed the call timeout.
    "NOTIFY_SENDING_STALE_SECONDS": 600,
}


def setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
