"""A cache-based lock so that a duplicate run of a task does nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache


@contextmanager
def single_run(name: str, *, ttl_seconds: int) -> Iterator[bool]:
    """Yield True to the one holder of `name`; others get False at once.

    `cache.add` is atomic on Redis. The file cache of the embedded default
    leaves a narrow race, so the work under the lock must itself be safe to
    run twice. The lock expires after `ttl_seconds`, so a killed worker
    cannot hold it forever.
    """
    key, token = f"lock:{name}", uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=ttl_seconds)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
