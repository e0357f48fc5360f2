"""Fixed-window rate limits kept in the shared cache.

Each window has its own key (the window's number is part of it), so a limit
resets when the window ends even on cache backends whose `incr` extends the
expiry, such as the file cache.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, subject: str, window_seconds: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    window = int(time.time()) // window_seconds
    return f"portal-rate:{scope}:{digest}:{window}"


def count(scope: str, subject: str, window_seconds: int) -> int:
    """Return how many events `subject` had in the current window."""
    return int(cache.get(_key(scope, subject, window_seconds)) or 0)


def hit(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event; return False if it goes over `limit` in this window."""
    key = _key(scope, subject, window_seconds)
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        total = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window_seconds * 2)
        total = 1
    return total <= limit


def exceeded(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    return count(scope, subject, window_seconds) >= limit
