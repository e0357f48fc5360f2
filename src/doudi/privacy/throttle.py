"""Login throttling: too many failures for one account or one address locks it.

An account locks after LOGIN_FAILURE_LIMIT failures. An address locks only
after LOGIN_ADDRESS_FAILURE_LIMIT failures across all accounts, a much
higher number, because a whole office or a reverse proxy may share one
address: one person's typing errors must not lock everyone out, while
guessing across many accounts from one address is still stopped.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _keys(username: str, ip: str | None) -> list[str]:
    keys = [_key("user", username.lower())]
    if ip:
        keys.append(_key("ip", ip))
    return keys


def is_locked(username: str, ip: str | None) -> bool:
    if (cache.get(_key("user", username.lower())) or 0) >= settings.LOGIN_FAILURE_LIMIT:
        return True
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return bool(ip) and (cache.get(_key("ip", ip or "")) or 0) >= limit


def record_failure(username: str, ip: str | None) -> None:
    """Count one failure; the lockout lasts LOGIN_LOCKOUT_SECONDS from the last one."""
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    for key in _keys(username, ip):
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=timeout)
        # The file and database caches implement incr as get and set, which
        # resets the expiry to the cache's default timeout (300 s unless
        # configured), so the expiry is set again here.
        cache.touch(key, timeout)


def clear_account(username: str) -> None:
    """Forget an account's failures after it signs in; the address keeps its count."""
    cache.delete(_key("user", username.lower()))
